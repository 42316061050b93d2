import PromQL
import Series

/// promtool's `input_series`: a series in PromQL notation and its values in promqltest's
/// expanding notation (`0+10x5`, `1x3`, `_`, `_x2`, `stale`), one value per `interval`.
enum InputSeries {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses the series' labels. promtool parses `series values` as one line, so on error the
    /// position is reported within that line.
    static func labels(_ text: String, values: String = "") throws -> Labels {
        do {
            return try PromQLParser.parseSeriesLabels(text)
        } catch {
            do {
                return try PromQLParser.parseSeriesLabels(text + " " + values)
            } catch {
                throw Invalid(description: "\(error)")
            }
        }
    }

    /// Expands the values, returning samples at `0, interval, 2*interval, ...`, skipping
    /// omitted points. `prefix` is the text before the values on promtool's load line (the
    /// series and a space), for error positions.
    static func samples(_ text: String, interval: Int64, prefix: Int = 0) throws -> [Sample] {
        var samples: [Sample] = []
        var step: Int64 = 0
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            if bytes[offset] == 0x20 || bytes[offset] == 0x09 || bytes[offset] == 0x0A {
                offset += 1
                continue
            }
            var end = offset
            while end < bytes.count && bytes[end] != 0x20 && bytes[end] != 0x09 && bytes[end] != 0x0A { end += 1 }
            let token = String(decoding: bytes[offset..<end], as: UTF8.self)
            let values: [Double?]
            do {
                values = try expand(token)
            } catch {
                throw positioned(token, column: prefix + offset + 1, followedBy: end < bytes.count)
            }
            for value in values {
                if let value { samples.append(Sample(timestamp: step * interval, value: value)) }
                step += 1
            }
            offset = end
        }
        return samples
    }

    /// promtool's parser error for a bad token of the values, as far as we reproduce it.
    private static func positioned(_ token: String, column: Int, followedBy more: Bool) -> Invalid {
        if token == "x" {
            return Invalid(description: "1:\(column): parse error: unexpected \"x\"")
        }
        if token.allSatisfy({ $0.isLetter || $0 == "_" }) {
            return Invalid(
                description:
                    "1:\(column): parse error: unexpected identifier \(goQuote(token)) in series values, expected number or \"stale\""
            )
        }
        if let last = token.last, last == "+" || last == "-", more {
            return Invalid(
                description: "1:\(column + token.utf8.count): parse error: unexpected \" \" in series values")
        }
        return Invalid(description: "1:\(column): parse error: bad number or sequence syntax: \(goQuote(token))")
    }

    /// One token as values; nil stands for an omitted point.
    static func expand(_ token: String) throws -> [Double?] {
        if token == "_" { return [nil] }
        if token == "stale" { return [Sample.staleNaN] }
        if token.hasPrefix("_x") {
            guard let n = Int(token.dropFirst(2)), n >= 0 else { throw invalid(token) }
            return Array(repeating: nil, count: n)
        }
        if let value = number(token) { return [value] }
        guard let x = token.lastIndex(of: "x"), let times = Int(token[token.index(after: x)...]), times >= 0 else {
            throw invalid(token)
        }
        let body = Array(token[..<x])
        if let start = number(String(body)) {
            return Array(repeating: start, count: times + 1)
        }
        for i in 1..<max(body.count, 1)
        where (body[i] == "+" || body[i] == "-") && body[i - 1] != "e" && body[i - 1] != "E" {
            guard let start = number(String(body[..<i])), let delta = number(String(body[i...])) else { continue }
            return (0...times).map { start + delta * Double($0) }
        }
        throw invalid(token)
    }

    private static func invalid(_ token: String) -> Invalid {
        Invalid(description: "bad number or sequence syntax: \(goQuote(token))")
    }

    /// A PromQL number: decimal with optional sign and exponent, `Inf`, `NaN`.
    static func number(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard let first = body.first, first.isNumber || first == ".",
            body.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) })
        else { return nil }
        return Double(body).map { sign * $0 }
    }
}
