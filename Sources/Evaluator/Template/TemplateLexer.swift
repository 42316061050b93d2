/// A token of Go's text/template language.
struct TemplateToken: Equatable {
    enum Kind: Equatable {
        case text, leftDelim, rightDelim, eof
        case identifier, field, variable, dot, pipe, leftParen, rightParen, declare, assign, comma
        case string, rawString, char, number, bool, nilValue, space
        case keyword
    }

    var kind: Kind
    /// The token's text; for `string` the unquoted value.
    var text: String
    /// Byte offset in the template.
    var position: Int
    /// 1-based line.
    var line: Int
    /// Byte offset just after the token.
    var end = 0
}

/// A lexing or parsing problem, worded as Go's `text/template` words it without the prefix.
struct TemplateSyntaxError: Error {
    var line: Int
    var message: String
}

/// Splits a template into tokens the way Go's text/template lexer does, including the `{{-`
/// and `-}}` trim markers and `{{/* comments */}}`.
struct TemplateLexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private(set) var tokens: [TemplateToken] = []

    static let keywords: Set<String> = [
        "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    ]

    static func tokenize(_ text: String) throws(TemplateSyntaxError) -> [TemplateToken] {
        var lexer = TemplateLexer(bytes: Array(text.utf8))
        try lexer.run()
        return lexer.tokens
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func at(_ offset: Int) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private func hasPrefix(_ text: String, at position: Int) -> Bool {
        let pattern = Array(text.utf8)
        guard position + pattern.count <= bytes.count else { return false }
        return Array(bytes[position..<position + pattern.count]) == pattern
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    private func string(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func emit(_ kind: TemplateToken.Kind, _ text: String, _ position: Int, _ line: Int) {
        tokens.append(TemplateToken(kind: kind, text: text, position: position, line: line, end: index))
    }

    private mutating func run() throws(TemplateSyntaxError) {
        var trimNext = false
        while index < bytes.count {
            // Text up to the next "{{".
            let start = index
            let startLine = line
            var end = index
            while end < bytes.count && !hasPrefix("{{", at: end) { end += 1 }
            var textStart = start
            var textEnd = end
            if trimNext {
                while textStart < textEnd && Self.isSpace(bytes[textStart]) { textStart += 1 }
            }
            let trimLeft =
                end < bytes.count && hasPrefix("{{- ", at: end) || hasPrefix("{{-\t", at: end)
                || hasPrefix("{{-\n", at: end) || hasPrefix("{{-\r", at: end)
            if trimLeft {
                while textEnd > textStart && Self.isSpace(bytes[textEnd - 1]) { textEnd -= 1 }
            }
            for b in bytes[start..<end] where b == 0x0A { line += 1 }
            if textEnd > textStart {
                emit(.text, string(textStart, textEnd), textStart, startLine)
            }
            trimNext = false
            index = end
            guard index < bytes.count else { break }
            // An action.
            let delimLine = line
            index += 2
            if trimLeft { index += 2 }
            // Comment.
            if hasPrefix("/*", at: index) {
                guard let close = findCommentEnd(from: index + 2) else {
                    throw TemplateSyntaxError(line: delimLine, message: "unclosed comment")
                }
                for b in bytes[index..<close] where b == 0x0A { line += 1 }
                index = close + 2
                if hasPrefix(" -}}", at: index) {
                    index += 4
                    trimNext = true
                } else if hasPrefix("}}", at: index) {
                    index += 2
                } else {
                    throw TemplateSyntaxError(line: delimLine, message: "comment ends before closing delimiter")
                }
                continue
            }
            emit(.leftDelim, "{{", index - 2, delimLine)
            trimNext = try lexInsideAction()
        }
        emit(.eof, "", bytes.count, line)
    }

    private func findCommentEnd(from position: Int) -> Int? {
        var i = position
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/") { return i }
            i += 1
        }
        return nil
    }

    /// Lexes up to and including `}}`; returns whether it was `-}}` (trim what follows).
    private mutating func lexInsideAction() throws(TemplateSyntaxError) -> Bool {
        var parenDepth = 0
        while true {
            guard let c = at(0) else {
                throw TemplateSyntaxError(line: line, message: "unclosed action")
            }
            if Self.isSpace(c) {
                // " -}}" closes with trimming.
                var j = index
                while j < bytes.count && Self.isSpace(bytes[j]) { j += 1 }
                if hasPrefix("-}}", at: j) {
                    for b in bytes[index..<j] where b == 0x0A { line += 1 }
                    index = j + 3
                    emit(.rightDelim, "}}", j, line)
                    return true
                }
                for b in bytes[index..<j] where b == 0x0A { line += 1 }
                index = j
                emit(.space, " ", j, line)
                continue
            }
            if hasPrefix("}}", at: index) {
                if parenDepth > 0 {
                    throw TemplateSyntaxError(line: line, message: "unclosed left paren")
                }
                parenDepth = 0
                emit(.rightDelim, "}}", index, line)
                index += 2
                return false
            }
            let start = index
            switch c {
            case UInt8(ascii: "|"):
                index += 1
                emit(.pipe, "|", start, line)
            case UInt8(ascii: "("):
                index += 1
                parenDepth += 1
                emit(.leftParen, "(", start, line)
            case UInt8(ascii: ")"):
                index += 1
                parenDepth -= 1
                emit(.rightParen, ")", start, line)
            case UInt8(ascii: ","):
                index += 1
                emit(.comma, ",", start, line)
            case UInt8(ascii: ":"):
                guard at(1) == UInt8(ascii: "=") else {
                    throw TemplateSyntaxError(line: line, message: "expected :=")
                }
                index += 2
                emit(.declare, ":=", start, line)
            case UInt8(ascii: "="):
                index += 1
                emit(.assign, "=", start, line)
            case UInt8(ascii: "\""):
                emit(.string, try quoted(), start, line)
            case UInt8(ascii: "`"):
                index += 1
                let from = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "`") {
                    if bytes[index] == 0x0A { line += 1 }
                    index += 1
                }
                guard index < bytes.count else {
                    throw TemplateSyntaxError(line: line, message: "unterminated raw quoted string")
                }
                let raw = string(from, index)
                index += 1
                emit(.rawString, raw, start, line)
            case UInt8(ascii: "'"):
                index += 1
                let from = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "'") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                guard index < bytes.count else {
                    throw TemplateSyntaxError(line: line, message: "unterminated character constant")
                }
                let body = string(from, index)
                index += 1
                let value = (try? Self.unescape(body)) ?? body
                emit(.char, String(value.unicodeScalars.first.map { Int($0.value) } ?? 0), start, line)
            case UInt8(ascii: "$"):
                index += 1
                while let d = at(0), Self.isAlphaNumeric(d) { index += 1 }
                emit(.variable, string(start, index), start, line)
            case UInt8(ascii: "."):
                if let d = at(1), d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") {
                    emit(.number, lexNumber(), start, line)
                    continue
                }
                index += 1
                if let d = at(0), Self.isAlphaNumeric(d) {
                    while let d = at(0), Self.isAlphaNumeric(d) { index += 1 }
                    emit(.field, string(start, index), start, line)
                } else {
                    emit(.dot, ".", start, line)
                }
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                emit(.number, lexNumber(), start, line)
            default:
                if Self.isAlphaNumeric(c) || c >= 0x80 {
                    while let d = at(0), Self.isAlphaNumeric(d) || d >= 0x80 { index += 1 }
                    let word = string(start, index)
                    if Self.keywords.contains(word) {
                        emit(.keyword, word, start, line)
                    } else if word == "true" || word == "false" {
                        emit(.bool, word, start, line)
                    } else if word == "nil" {
                        emit(.nilValue, word, start, line)
                    } else {
                        emit(.identifier, word, start, line)
                    }
                } else {
                    // Go's lexer passes other printable ASCII on as a character the parser rejects.
                    let scalar = String(decoding: [c], as: UTF8.self)
                    if c >= 0x21 && c < 0x7F {
                        throw TemplateSyntaxError(line: line, message: "unexpected \"\(scalar)\" in command")
                    }
                    throw TemplateSyntaxError(
                        line: line, message: "unrecognized character in action: U+\(hex4(c)) '\(scalar)'")
                }
            }
        }
    }

    private func hex4(_ c: UInt8) -> String {
        let h = String(c, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - h.count) + h
    }

    private static func isAlphaNumeric(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    private mutating func lexNumber() -> String {
        let start = index
        if at(0) == UInt8(ascii: "+") || at(0) == UInt8(ascii: "-") { index += 1 }
        while let c = at(0),
            Self.isAlphaNumeric(c) || c == UInt8(ascii: ".")
                || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-"))
                    && (bytes[index - 1] == UInt8(ascii: "e") || bytes[index - 1] == UInt8(ascii: "E")))
        {
            index += 1
        }
        return string(start, index)
    }

    private mutating func quoted() throws(TemplateSyntaxError) -> String {
        index += 1
        let from = index
        while true {
            guard let c = at(0), c != 0x0A else {
                throw TemplateSyntaxError(line: line, message: "unterminated quoted string")
            }
            if c == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if c == UInt8(ascii: "\"") { break }
            index += 1
        }
        let body = string(from, index)
        index += 1
        do {
            return try Self.unescape(body)
        } catch {
            throw TemplateSyntaxError(line: line, message: "invalid syntax")
        }
    }

    struct EscapeError: Error {}

    /// Go's interpretation of escapes in a double-quoted string.
    static func unescape(_ body: String) throws(EscapeError) -> String {
        var out = ""
        var scalars = Array(body.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            guard c == "\\" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard let e = scalars.popFirst() else { throw EscapeError() }
            switch e {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "a": out += "\u{07}"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "v": out += "\u{0B}"
            case "\\": out += "\\"
            case "\"": out += "\""
            case "'": out += "'"
            case "x", "u", "U":
                let count = e == "x" ? 2 : (e == "u" ? 4 : 8)
                let digits = String(String.UnicodeScalarView(scalars.prefix(count)))
                scalars = scalars.dropFirst(count)
                guard digits.count == count, let value = UInt32(digits, radix: 16),
                    let scalar = Unicode.Scalar(value)
                else { throw EscapeError() }
                out.unicodeScalars.append(scalar)
            default: throw EscapeError()
            }
        }
        return out
    }
}
