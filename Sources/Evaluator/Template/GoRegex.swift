import Foundation

/// Go `regexp` behaviour for templates, on Foundation's regular expressions (RE2 syntax is
/// close to ICU's for the patterns rule templates use).
enum GoRegex {
    private static func compile(_ pattern: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw TemplateFunctionError(message: "regexp: Compile(\(goQuote(pattern))): error parsing regexp")
        }
    }

    /// `regexp.MatchString`: whether the pattern matches anywhere in `text`.
    static func matches(pattern: String, _ text: String) throws -> Bool {
        let regex = try compile(pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// `regexp.MustCompile(pattern).ReplaceAllString(text, replacement)`, expanding `$1`,
    /// `${1}`, `$name`, `${name}` and `$$` as Go does (a `$name` runs as far as letters, digits
    /// and underscores go; unknown groups expand to nothing).
    static func replaceAll(pattern: String, in text: String, with replacement: String) throws -> String {
        let regex = try compile(pattern)
        let names = groupNames(pattern)
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            out += expand(replacement, match: match, in: ns, names: names)
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    private static func groupNames(_ pattern: String) -> [String: Int] {
        var names: [String: Int] = [:]
        var group = 0
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" {
                i += 2
                continue
            }
            if chars[i] == "(" {
                if i + 1 < chars.count && chars[i + 1] == "?" {
                    var j = i + 2
                    if j < chars.count && chars[j] == "P" { j += 1 }
                    if j < chars.count && chars[j] == "<" {
                        group += 1
                        var name = ""
                        j += 1
                        while j < chars.count && chars[j] != ">" {
                            name.append(chars[j])
                            j += 1
                        }
                        names[name] = group
                    }
                } else {
                    group += 1
                }
            }
            i += 1
        }
        return names
    }

    private static func expand(
        _ template: String, match: NSTextCheckingResult, in text: NSString, names: [String: Int]
    ) -> String {
        var out = ""
        let chars = Array(template)
        var i = 0
        func group(_ name: String) -> String {
            let index = Int(name) ?? names[name]
            guard let index, index < match.numberOfRanges else { return "" }
            let range = match.range(at: index)
            return range.location == NSNotFound ? "" : text.substring(with: range)
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            if chars[i + 1] == "{" {
                if let close = chars[(i + 2)...].firstIndex(of: "}") {
                    let name = String(chars[(i + 2)..<close])
                    if !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                        out += group(name)
                        i = close + 1
                        continue
                    }
                }
                out.append(c)
                i += 1
                continue
            }
            var j = i + 1
            while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
            if j == i + 1 {
                out.append(c)
                i += 1
                continue
            }
            out += group(String(chars[(i + 1)..<j]))
            i = j
        }
        return out
    }
}
