/// Splits a PromQL query into tokens, tracking brackets so errors read as Prometheus's do.
struct Lexer {
    private let bytes: [UInt8]
    private let query: String
    private var pos = 0
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var tokens: [Token] = []
    private var stringStart = 0

    init(_ query: String) {
        self.query = query
        self.bytes = Array(query.utf8)
    }

    /// Tokenizes the whole query, ending with an `.eof` token.
    static func tokenize(_ query: String) throws -> [Token] {
        var lexer = Lexer(query)
        try lexer.run()
        return lexer.tokens
    }

    private func error(_ message: String, at position: Int? = nil) -> ParseError {
        ParseError(position: position ?? pos, query: query, message: message)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    private func text(_ start: Int) -> String {
        String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private mutating func emit(_ kind: TokenKind, from start: Int) {
        tokens.append(Token(kind: kind, text: text(start), position: start))
    }

    private mutating func run() throws {
        while true {
            skipSpaceAndComments()
            guard let c = peek() else {
                if braceOpen { throw error("unexpected end of input inside braces") }
                if parenDepth != 0 { throw error("unclosed left parenthesis") }
                if bracketOpen { throw error("unclosed left bracket") }
                tokens.append(Token(kind: .eof, text: "", position: pos))
                return
            }
            if braceOpen {
                try lexInsideBraces(c)
            } else {
                try lexStatement(c)
            }
        }
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n")
                || c == UInt8(ascii: "\r")
            {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != UInt8(ascii: "\n") { pos += 1 }
            } else {
                return
            }
        }
    }

    private mutating func lexInsideBraces(_ c: UInt8) throws {
        let start = pos
        switch c {
        case UInt8(ascii: ","):
            pos += 1
            emit(.comma, from: start)
        case UInt8(ascii: "}"):
            pos += 1
            braceOpen = false
            emit(.rightBrace, from: start)
        case UInt8(ascii: "="):
            pos += 1
            if peek() == UInt8(ascii: "~") {
                pos += 1
                emit(.eqlRegex, from: start)
            } else {
                emit(.assign, from: start)
            }
        case UInt8(ascii: "!"):
            pos += 1
            if peek() == UInt8(ascii: "~") {
                pos += 1
                emit(.neqRegex, from: start)
            } else if peek() == UInt8(ascii: "=") {
                pos += 1
                emit(.neq, from: start)
            } else {
                throw error("unexpected character after '!' inside braces: \(describe(peek()))", at: start)
            }
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            try lexString(quote: c)
        case UInt8(ascii: "{"):
            throw error("unexpected left brace '{' inside braces")
        default:
            if Lexer.isIdentifierStart(c) {
                lexIdentifier()
            } else {
                pos += 1
                throw error("unexpected character inside braces: \(describe(c))", at: start)
            }
        }
    }

    private func describe(_ c: UInt8?) -> String {
        guard let c else { return "EOF" }
        return "'" + String(decoding: [c], as: UTF8.self) + "'"
    }

    private mutating func lexStatement(_ c: UInt8) throws {
        let start = pos
        let single: [UInt8: TokenKind] = [
            UInt8(ascii: ","): .comma, UInt8(ascii: "*"): .mul, UInt8(ascii: "/"): .div,
            UInt8(ascii: "%"): .mod,
            UInt8(ascii: "+"): .add, UInt8(ascii: "-"): .sub, UInt8(ascii: "^"): .pow,
            UInt8(ascii: "@"): .at,
            UInt8(ascii: ":"): .colon,
        ]
        if let kind = single[c] {
            if kind == .colon && !bracketOpen { throw error("unexpected colon ':'") }
            pos += 1
            emit(kind, from: start)
            return
        }
        switch c {
        case UInt8(ascii: "="):
            pos += 1
            if peek() == UInt8(ascii: "=") {
                pos += 1
                emit(.eql, from: start)
            } else if peek() == UInt8(ascii: "~") {
                throw error("unexpected character after '=': '~'", at: start)
            } else {
                emit(.assign, from: start)
            }
        case UInt8(ascii: "!"):
            pos += 1
            guard peek() == UInt8(ascii: "=") else {
                throw error("unexpected character after '!': \(describe(peek()))", at: start)
            }
            pos += 1
            emit(.neq, from: start)
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            pos += 1
            let orEqual = peek() == UInt8(ascii: "=")
            if orEqual { pos += 1 }
            let less = c == UInt8(ascii: "<")
            emit(less ? (orEqual ? .lte : .lss) : (orEqual ? .gte : .gtr), from: start)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            try lexString(quote: c)
        case UInt8(ascii: "("):
            pos += 1
            parenDepth += 1
            emit(.leftParen, from: start)
        case UInt8(ascii: ")"):
            pos += 1
            parenDepth -= 1
            if parenDepth < 0 { throw error("unexpected right parenthesis ')'", at: start) }
            emit(.rightParen, from: start)
        case UInt8(ascii: "{"):
            pos += 1
            braceOpen = true
            emit(.leftBrace, from: start)
        case UInt8(ascii: "}"):
            throw error("unexpected character: '}'")
        case UInt8(ascii: "["):
            if bracketOpen { throw error("unexpected left bracket '['") }
            pos += 1
            bracketOpen = true
            emit(.leftBracket, from: start)
        case UInt8(ascii: "]"):
            if !bracketOpen { throw error("unexpected right bracket ']'") }
            pos += 1
            bracketOpen = false
            emit(.rightBracket, from: start)
        default:
            if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(Lexer.isDigit) == true) {
                try lexNumberOrDuration()
            } else if Lexer.isIdentifierStart(c) {
                lexIdentifier()
            } else {
                throw error("unexpected character: \(describe(c))")
            }
        }
    }

    private mutating func lexIdentifier() {
        let start = pos
        var hasColon = false
        while let c = peek(), Lexer.isIdentifierStart(c) || Lexer.isDigit(c) || c == UInt8(ascii: ":") {
            if c == UInt8(ascii: ":") {
                if bracketOpen || braceOpen { break }
                hasColon = true
            }
            pos += 1
        }
        let word = text(start)
        if !braceOpen, let value = Lexer.specialNumber(word) {
            var token = Token(kind: .number, text: word, position: start)
            token.numberValue = value
            tokens.append(token)
            return
        }
        emit(hasColon ? .metricIdentifier : .identifier, from: start)
    }

    static func specialNumber(_ word: String) -> Double? {
        switch word.lowercased() {
        case "inf": return .infinity
        case "nan": return .nan
        default: return nil
        }
    }

    private mutating func lexNumberOrDuration() throws {
        let start = pos
        var isHex = false
        if peek() == UInt8(ascii: "0"), let x = peek(1),
            x == UInt8(ascii: "x") || x == UInt8(ascii: "X")
        {
            pos += 2
            isHex = true
            while let c = peek(), Lexer.isHexDigit(c) { pos += 1 }
        } else {
            skipDigits()
            if peek() == UInt8(ascii: ".") {
                pos += 1
                skipDigits()
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                pos += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { pos += 1 }
                skipDigits()
            }
        }
        let offending = peek().map { Lexer.isAlphanumeric($0) || $0 == UInt8(ascii: ".") } ?? false
        if !offending {
            let literal = text(start)
            guard let value = Lexer.parseNumber(literal) else {
                throw error("bad number or duration syntax: \"\(literal)\"", at: start)
            }
            if value.isInfinite && !literal.lowercased().hasSuffix("inf") {
                throw error(
                    "error parsing number: strconv.ParseFloat: parsing \"\(literal)\": value out of range",
                    at: start)
            }
            var token = Token(kind: .number, text: literal, position: start)
            token.numberValue = value
            tokens.append(token)
            return
        }
        let numberEnd = pos
        if !isHex && scanRemainingDuration() {
            let literal = text(start)
            var token = Token(kind: .duration, text: literal, position: start)
            token.numberValue = Double(try Lexer.parseDuration(literal, query: query, at: start))
            tokens.append(token)
            return
        }
        if pos == numberEnd { pos += 1 }
        throw error("bad number or duration syntax: \"\(text(start))\"", at: start)
    }

    private mutating func skipDigits() {
        while let c = peek(), Lexer.isDigit(c) { pos += 1 }
    }

    /// Consumes the unit-led rest of a duration (`m`, `h30m`, `s500ms`); false when it is malformed,
    /// having consumed the offending character.
    private mutating func scanRemainingDuration() -> Bool {
        func accept(_ set: String) -> Bool {
            guard let c = peek(), set.utf8.contains(c) else { return false }
            pos += 1
            return true
        }
        guard accept("smhdwy") else { return false }
        _ = accept("s")
        while let c = peek(), Lexer.isDigit(c) {
            skipDigits()
            guard accept("smhdw") else { return false }
            _ = accept("s")
        }
        if let c = peek(), Lexer.isAlphanumeric(c) {
            pos += 1
            return false
        }
        return true
    }

    /// Parses a duration literal into milliseconds; units must appear largest first, each once.
    static func parseDuration(_ text: String, query: String, at position: Int) throws -> Int64 {
        let units: [(String, Int64)] = [
            ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnit = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let unitText = rest.dropFirst(digits.count).prefix { $0.isASCII && $0.isLetter }
            guard let amount = Int64(digits), !unitText.isEmpty else {
                throw ParseError(
                    position: position, query: query, message: "not a valid duration string: \"\(text)\"")
            }
            guard let unit = units.firstIndex(where: { $0.0 == unitText }) else {
                throw ParseError(
                    position: position, query: query,
                    message: "unknown unit \"\(unitText)\" in duration \"\(text)\"")
            }
            guard unit > lastUnit else {
                throw ParseError(
                    position: position, query: query, message: "not a valid duration string: \"\(text)\"")
            }
            lastUnit = unit
            let (scaled, overflow) = amount.multipliedReportingOverflow(by: units[unit].1)
            let (sum, sumOverflow) = total.addingReportingOverflow(scaled)
            guard !overflow && !sumOverflow && sum < 100_000_000_000_000_000 else {
                throw ParseError(
                    position: position, query: query, message: "duration out of range: \"\(text)\"")
            }
            total = sum
            rest = rest.dropFirst(digits.count + unitText.count)
        }
        return total
    }

    /// Parses a number literal as Go's `strconv.ParseFloat`/`ParseInt` with base prefix would.
    static func parseNumber(_ text: String) -> Double? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            return UInt64(lower.dropFirst(2), radix: 16).map { Double($0) }
        }
        if let special = specialNumber(text) { return special }
        if text.count > 1, text.hasPrefix("0"), text.allSatisfy({ $0 >= "0" && $0 <= "7" }) {
            return UInt64(text, radix: 8).map { Double($0) }
        }
        return Double(text)
    }

    private mutating func lexString(quote: UInt8) throws {
        let start = pos
        stringStart = start
        pos += 1
        var scalars: [UInt8] = []
        while true {
            guard let c = peek() else {
                throw error(
                    quote == UInt8(ascii: "`") ? "unterminated raw string" : "unterminated quoted string",
                    at: start)
            }
            if c == quote {
                pos += 1
                break
            }
            if quote != UInt8(ascii: "`") && c == UInt8(ascii: "\n") {
                throw error("unterminated quoted string", at: start)
            }
            if c == UInt8(ascii: "\\") && quote != UInt8(ascii: "`") {
                pos += 1
                try lexEscape(quote: quote, into: &scalars)
                continue
            }
            scalars.append(c)
            pos += 1
        }
        var token = Token(kind: .string, text: text(start), position: start)
        // Escapes such as `\xff` can spell invalid UTF-8, which Go keeps byte for byte; here those
        // bytes become U+FFFD and the token's text keeps the original spelling for error messages.
        let decoded = String(decoding: scalars, as: UTF8.self)
        token.stringValue = decoded
        tokens.append(token)
    }

    private mutating func lexEscape(quote: UInt8, into out: inout [UInt8]) throws {
        guard let c = peek() else { throw error("escape sequence not terminated", at: stringStart) }
        pos += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "f"): 12, UInt8(ascii: "n"): 10,
            UInt8(ascii: "r"): 13, UInt8(ascii: "t"): 9, UInt8(ascii: "v"): 11, UInt8(ascii: "\\"): 92,
        ]
        if let byte = simple[c] {
            out.append(byte)
            return
        }
        if c == quote {
            out.append(c)
            return
        }
        switch c {
        case UInt8(ascii: "x"):
            out.append(UInt8(try readHex(2)))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let value = try readHex(c == UInt8(ascii: "u") ? 4 : 8)
            guard let scalar = Unicode.Scalar(value) else {
                throw error("escape sequence is an invalid Unicode code point")
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = UInt32(c - UInt8(ascii: "0"))
            for _ in 0..<2 {
                guard let d = peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else {
                    throw error(
                        "illegal character \(peek().map(Lexer.goRune) ?? "EOF") in escape sequence",
                        at: stringStart)
                }
                value = value * 8 + UInt32(d - UInt8(ascii: "0"))
                pos += 1
            }
            guard value <= 255 else { throw error("octal escape value > 255: \(value)") }
            out.append(UInt8(value))
        default:
            throw error("unknown escape sequence \(Lexer.goRune(c))", at: stringStart)
        }
    }

    private mutating func readHex(_ count: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let d = peek(), Lexer.isHexDigit(d) else {
                throw error(
                    "illegal character \(peek().map(Lexer.goRune) ?? "EOF") in escape sequence",
                    at: stringStart)
            }
            value = value * 16 + UInt32(Lexer.hexValue(d))
            pos += 1
        }
        return value
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }

    static func hexValue(_ c: UInt8) -> UInt8 {
        if isDigit(c) { return c - UInt8(ascii: "0") }
        if c >= UInt8(ascii: "a") { return c - UInt8(ascii: "a") + 10 }
        return c - UInt8(ascii: "A") + 10
    }

    static func isAlphanumeric(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    /// Renders a byte as Go's `%#U`: `U+0063 'c'`.
    static func goRune(_ c: UInt8) -> String {
        let hex = String(c, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex + " '"
            + String(decoding: [c], as: UTF8.self)
            + "'"
    }

    static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }
}
