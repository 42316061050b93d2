import PromQL
import Series

/// One value of a promqltest sequence: a float, a stale marker, an omitted point or a native histogram.
enum SequenceValue: Equatable {
    case value(Double)
    case omitted
    case histogram
}

/// Parses promqltest's series notation: `metric{a="b"} 0+10x100 _x3 stale 1 -Inf`.
enum SeriesNotation {
    /// Splits a series line into its labels and its values.
    static func parse(_ line: String) throws -> (Labels, [SequenceValue]) {
        let (labelText, rest) = splitLabels(line)
        let labels: Labels
        do {
            labels = try PromQLParser.parseSeriesLabels(labelText)
        } catch {
            throw TestScriptError("invalid series labels \(labelText): \(error)")
        }
        return (labels, try values(rest))
    }

    /// Separates the label part (name and optional braces) from the values, honouring quotes.
    static func splitLabels(_ line: String) -> (String, String) {
        let chars = Array(line)
        var i = 0
        while i < chars.count && !chars[i].isWhitespace && chars[i] != "{" { i += 1 }
        if i < chars.count && chars[i] == "{" {
            var quote: Character?
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == "\\" { i += 1 } else if c == q { quote = nil }
                } else if c == "\"" || c == "'" || c == "`" {
                    quote = c
                } else if c == "}" {
                    i += 1
                    break
                }
                i += 1
            }
        }
        return (String(chars[..<i]), String(chars[i...]))
    }

    /// Parses the value part of a series line.
    static func values(_ text: String) throws -> [SequenceValue] {
        var out: [SequenceValue] = []
        for token in tokens(text) {
            out += try expand(token)
        }
        return out
    }

    /// Splits on whitespace, keeping `{{...}}` histogram literals whole.
    private static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "{" { depth += 1 }
            if c == "}" { depth -= 1 }
            if c.isWhitespace && depth == 0 {
                if !current.isEmpty { out.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func expand(_ token: String) throws -> [SequenceValue] {
        if token.contains("{{") {
            var times = 0
            if let x = token.lastIndex(of: "x"), token[..<x].hasSuffix("}}"),
                let n = Int(token[token.index(after: x)...]), n >= 0
            {
                times = n
            }
            return Array(repeating: .histogram, count: times + 1)
        }
        if token == "_" { return [.omitted] }
        if token == "stale" { return [.value(Sample.staleNaN)] }
        if token.hasPrefix("_x"), let n = Int(token.dropFirst(2)), n >= 0 {
            return Array(repeating: .omitted, count: n)
        }
        if let value = number(token) { return [.value(value)] }
        guard let x = token.lastIndex(of: "x"), let times = Int(token[token.index(after: x)...]),
            times >= 0
        else {
            throw TestScriptError("invalid sequence value \"\(token)\"")
        }
        let body = String(token[..<x])
        if let start = number(body) {
            return Array(repeating: .value(start), count: times + 1)
        }
        let chars = Array(body)
        for i in 1..<chars.count
        where (chars[i] == "+" || chars[i] == "-") && chars[i - 1] != "e" && chars[i - 1] != "E" {
            guard let start = number(String(chars[..<i])), let step = number(String(chars[i...])) else {
                continue
            }
            return (0...times).map { .value(start + step * Double($0)) }
        }
        throw TestScriptError("invalid sequence value \"\(token)\"")
    }

    /// Parses a number as PromQL writes it: decimal, `Inf`, `NaN`, with an optional sign; hex
    /// (`0x1f`) only when `allowHex`, since in sequences `0x5` means "0 repeated".
    static func number(_ text: String, allowHex: Bool = false) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "-" || body.first == "+" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        guard let first = body.first,
            first.isNumber || first == "." || first == "I" || first == "i" || first == "N" || first == "n"
        else { return nil }
        let lower = body.lowercased()
        if lower == "inf" { return sign * .infinity }
        if lower == "nan" { return .nan }
        if allowHex && lower.hasPrefix("0x") {
            return UInt64(lower.dropFirst(2), radix: 16).map { sign * Double($0) }
        }
        guard
            body.allSatisfy({
                $0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-"
            })
        else {
            return nil
        }
        return Double(body).map { sign * $0 }
    }

    /// Parses a Prometheus duration such as `5m`, `1h30m`, `10s53ms` or `0`, in milliseconds.
    static func duration(_ text: String) throws -> Int64 {
        if text == "0" { return 0 }
        let units: [(String, Int64)] = [
            ("ms", 1), ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
        ]
        var total: Int64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { throw TestScriptError("invalid duration \"\(text)\"") }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber }
            guard let amount = Int64(digits), amount < Int64.max / 31_536_000_000 else {
                throw TestScriptError("invalid duration \"\(text)\"")
            }
            rest = rest.dropFirst(digits.count)
            guard let (unit, size) = units.first(where: { rest.hasPrefix($0.0) }) else {
                throw TestScriptError("invalid duration \"\(text)\"")
            }
            total += amount * size
            rest = rest.dropFirst(unit.count)
        }
        return total
    }
}

/// A problem in a promqltest file itself.
struct TestScriptError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
