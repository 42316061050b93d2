import Foundation
import PromQL
import Series

/// Runs a PromQL query for the `query` template function at the expansion time; returns the
/// samples of the resulting instant vector (a scalar as one sample without labels).
public typealias TemplateQueryFunction = @Sendable (String) async throws -> [VectorSample]

/// Prometheus's templates for alert labels and annotations: Go text/template with `$labels`,
/// `$externalLabels`, `$externalURL` and `$value` defined, and Prometheus's function set.
public enum RuleTemplate {
    /// What Prometheus prepends to every alert template so the `$` variables exist.
    static let definitions =
        "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

    /// The names of Prometheus's template functions (Prometheus 2.42's set).
    static let functionNames: Set<String> = [
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title",
        "toUpper", "toLower", "graphLink", "tableLink", "sortByLabel", "humanize", "humanize1024",
        "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime", "pathPrefix", "externalURL",
        "parseDuration", "stripPort",
    ]

    /// The parse error `promtool check rules` reports for this template, or nil if it parses.
    static func parseError(_ text: String, name: String) -> String? {
        do {
            _ = try GoTemplate.parse(definitions + text, name: name, functions: functionNames)
            return nil
        } catch {
            return error.description
        }
    }

    /// Expands one alert label or annotation template as Prometheus does; a failure renders as
    /// `<error expanding template: ...>`, which is what Prometheus puts in the alert.
    ///
    /// - Parameters:
    ///   - name: the template's name, `__alert_` + the alert name in Prometheus.
    ///   - externalURL: `$externalURL`.
    ///   - functionsURL: what the `externalURL` and `pathPrefix` functions read; nil makes them
    ///     fail, as they do in `promtool test rules`.
    ///   - query: runs the `query` function's PromQL at the evaluation time.
    public static func expand(
        _ text: String, name: String, labels: [String: String], externalLabels: [String: String] = [:],
        externalURL: String = "", functionsURL: String? = nil, value: Double, query: TemplateQueryFunction? = nil
    ) async -> String {
        let template: GoTemplate
        do {
            template = try GoTemplate.parse(definitions + text, name: name, functions: functionNames)
        } catch {
            return "<error expanding template: error parsing template \(name): \(error)>"
        }
        let data = TemplateValue.record([
            TemplateField(name: "Labels", value: .stringMap(labels)),
            TemplateField(name: "ExternalLabels", value: .stringMap(externalLabels)),
            TemplateField(name: "ExternalURL", value: .string(externalURL)),
            TemplateField(name: "Value", value: .float(value)),
        ])
        do {
            return try await template.execute(
                data: data, functions: functions(externalURL: functionsURL, query: query))
        } catch {
            return "<error expanding template: error executing template \(name): \(error)>"
        }
    }

    /// Prometheus's function map; `externalURL` nil stands for Go's nil `*url.URL`.
    static func functions(externalURL: String?, query: TemplateQueryFunction?) -> [String: TemplateFunction] {
        let url = externalURL.flatMap { URL(string: $0) }
        let nilPointer = TemplateFunctionError(
            message: "runtime error: invalid memory address or nil pointer dereference")
        return [
            "query": { args in
                let q = try string(args, "query", 1, 0)
                guard let query else { throw TemplateFunctionError(message: "no query function") }
                do {
                    let samples = try await query(q)
                    return .samples(samples.map { TemplateSample(labels: dictionary($0.labels), value: $0.value) })
                } catch {
                    throw TemplateFunctionError(message: "\(error)")
                }
            },
            "first": { args in
                try arity("first", args, 1)
                guard case .samples(let list) = args[0] else { throw wrongType(args[0], "template.queryResult", 0) }
                guard let first = list.first else {
                    throw TemplateFunctionError(message: "first() called on vector with no elements")
                }
                return .sample(first)
            },
            "label": { args in
                let label = try string(args, "label", 2, 0)
                guard case .sample(let s) = args[1] else { throw wrongType(args[1], "*template.sample", 1) }
                return .string(s.labels[label] ?? "")
            },
            "value": { args in
                try arity("value", args, 1)
                guard case .sample(let s) = args[0] else { throw wrongType(args[0], "*template.sample", 0) }
                return .float(s.value)
            },
            "strvalue": { args in
                try arity("strvalue", args, 1)
                guard case .sample(let s) = args[0] else { throw wrongType(args[0], "*template.sample", 0) }
                return .string(s.labels["__value__"] ?? "")
            },
            "args": { args in
                var map: [String: TemplateValue] = [:]
                for (i, arg) in args.enumerated() { map["arg\(i)"] = arg }
                return .anyMap(map)
            },
            "reReplaceAll": { args in
                let pattern = try string(args, "reReplaceAll", 3, 0)
                let replacement = try string(args, "reReplaceAll", 3, 1)
                let text = try string(args, "reReplaceAll", 3, 2)
                return .string(try GoRegex.replaceAll(pattern: pattern, in: text, with: replacement))
            },
            "safeHtml": { args in .string(try string(args, "safeHtml", 1, 0)) },
            "match": { args in
                let pattern = try string(args, "match", 2, 0)
                let text = try string(args, "match", 2, 1)
                return .bool(try GoRegex.matches(pattern: pattern, text))
            },
            "title": { args in .string(goTitle(try string(args, "title", 1, 0))) },
            "toUpper": { args in .string(try string(args, "toUpper", 1, 0).uppercased()) },
            "toLower": { args in .string(try string(args, "toLower", 1, 0).lowercased()) },
            "graphLink": { args in
                .string(
                    "/graph?g0.expr=" + goQueryEscape(try string(args, "graphLink", 1, 0)) + "&g0.tab=0")
            },
            "tableLink": { args in
                .string(
                    "/graph?g0.expr=" + goQueryEscape(try string(args, "tableLink", 1, 0)) + "&g0.tab=1")
            },
            "sortByLabel": { args in
                let label = try string(args, "sortByLabel", 2, 0)
                guard case .samples(let list) = args[1] else { throw wrongType(args[1], "template.queryResult", 1) }
                let sorted = list.enumerated().sorted { a, b in
                    let x = a.element.labels[label] ?? ""
                    let y = b.element.labels[label] ?? ""
                    return x == y ? a.offset < b.offset : Array(x.utf8).lexicographicallyPrecedes(y.utf8)
                }
                return .samples(sorted.map(\.element))
            },
            "humanize": { args in .string(Humanize.humanize(try float(args, "humanize"))) },
            "humanize1024": { args in .string(Humanize.humanize1024(try float(args, "humanize1024"))) },
            "humanizeDuration": { args in .string(Humanize.duration(try float(args, "humanizeDuration"))) },
            "humanizePercentage": { args in .string(Humanize.percentage(try float(args, "humanizePercentage"))) },
            "humanizeTimestamp": { args in .string(try Humanize.timestamp(try float(args, "humanizeTimestamp"))) },
            "toTime": { args in
                let v = try float(args, "toTime")
                if v.isNaN || v.isInfinite { throw TemplateFunctionError(message: "value is NaN or Inf") }
                return try Humanize.time(v)
            },
            "pathPrefix": { args in
                try arity("pathPrefix", args, 0)
                guard externalURL != nil else { throw nilPointer }
                return .string(url?.path ?? "")
            },
            "externalURL": { args in
                try arity("externalURL", args, 0)
                guard let externalURL else { throw nilPointer }
                return .string(externalURL)
            },
            "parseDuration": { args in
                let text = try string(args, "parseDuration", 1, 0)
                guard let ms = try? PromDurationParser.milliseconds(text) else {
                    throw TemplateFunctionError(message: "not a valid duration string: \(goQuote(text))")
                }
                return .float(Double(ms) / 1000)
            },
            "stripPort": { args in
                let hostPort = try string(args, "stripPort", 1, 0)
                return .string(stripPort(hostPort))
            },
        ]
    }

    private static func dictionary(_ labels: Labels) -> [String: String] {
        var out: [String: String] = [:]
        for label in labels { out[label.name] = label.value }
        return out
    }

    private static func arity(_ name: String, _ args: [TemplateValue], _ want: Int) throws {
        guard args.count == want else {
            throw TemplateArgumentError(message: "wrong number of args for \(name): want \(want) got \(args.count)")
        }
    }

    private static func wrongType(_ value: TemplateValue, _ expected: String, _ index: Int) -> TemplateArgumentError {
        if case .invalid = value {
            return TemplateArgumentError(
                message: "invalid value; expected \(expected)", argument: index, expected: expected)
        }
        return TemplateArgumentError(
            message: "wrong type for value; expected \(expected); got \(value.goType)", argument: index,
            expected: expected)
    }

    private static func string(_ args: [TemplateValue], _ name: String, _ count: Int, _ index: Int) throws
        -> String
    {
        try arity(name, args, count)
        guard case .string(let s) = args[index] else { throw wrongType(args[index], "string", index) }
        return s
    }

    /// Prometheus's `convertToFloat`: floats, numeric strings and integers.
    private static func float(_ args: [TemplateValue], _ name: String) throws -> Double {
        try arity(name, args, 1)
        switch args[0] {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .string(let s):
            guard let v = GoParseFloat.parse(s) else {
                throw TemplateFunctionError(message: "strconv.ParseFloat: parsing \(goQuote(s)): invalid syntax")
            }
            return v
        case .invalid:
            throw TemplateArgumentError(message: "invalid value; expected interface {}")
        default:
            throw TemplateFunctionError(message: "can't convert \(args[0].goType) to float")
        }
    }

    /// Go's deprecated `strings.Title`: upper-cases the first letter of each word.
    static func goTitle(_ text: String) -> String {
        var out = ""
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            if isSeparator(previous) {
                out += String(scalar).uppercased()
            } else {
                out.unicodeScalars.append(scalar)
            }
            previous = scalar
        }
        return out
    }

    private static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII {
            let c = Character(r)
            if c.isLetter || c.isNumber || c == "_" { return false }
            return true
        }
        if r.properties.isAlphabetic || r.properties.numericType != nil { return false }
        return r.properties.isWhitespace
    }

    /// Go's `net.SplitHostPort` host, or the input when it has no port.
    static func stripPort(_ hostPort: String) -> String {
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return hostPort }
            let rest = hostPort[hostPort.index(after: close)...]
            guard rest.hasPrefix(":"), !rest.dropFirst().contains(":") else { return hostPort }
            return String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
        }
        guard let colon = hostPort.lastIndex(of: ":") else { return hostPort }
        let host = hostPort[..<colon]
        if host.contains(":") { return hostPort }
        return String(host)
    }
}

/// Go's `strconv.ParseFloat` for the inputs templates see: decimals, exponents, Inf, NaN.
enum GoParseFloat {
    static func parse(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || "._eExXpP+-abcdefABCDEF".contains($0)) })
        else { return nil }
        let cleaned = body.replacingOccurrences(of: "_", with: "")
        if cleaned.lowercased().hasPrefix("0x") { return Double(String(cleaned)).map { sign * $0 } }
        guard cleaned.allSatisfy({ $0.isNumber || ".eE+-".contains($0) }) else { return nil }
        return Double(cleaned).map { sign * $0 }
    }
}

/// Prometheus duration parsing for `parseDuration` (`1h30m`, `0`).
enum PromDurationParser {
    struct Invalid: Error {}
    static func milliseconds(_ text: String) throws -> Int64 {
        if text == "0" { return 0 }
        let units: [(String, Int64)] = [
            ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
            ("s", 1000), ("ms", 1),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        var last = -1
        guard !rest.isEmpty else { throw Invalid() }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let amount = Int64(digits) else { throw Invalid() }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { !($0.isASCII && $0.isNumber) }
            guard let unit = units.firstIndex(where: { $0.0 == unitText }), unit > last else { throw Invalid() }
            last = unit
            rest = rest.dropFirst(unitText.count)
            total += amount * units[unit].1
        }
        return total
    }
}
