/// One label pair of a series, e.g. `job="api"`.
public struct Label: Hashable, Sendable, Comparable {
    /// The label name, e.g. `job` or `__name__`.
    public var name: String
    /// The label value; an empty value means the label is absent.
    public var value: String

    /// Creates a label pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Orders by name, then by value, as Prometheus sorts label pairs.
    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.value < rhs.value
    }
}

/// A set of labels identifying a series, kept sorted by name with unique names.
///
/// Labels with empty values are never stored: Prometheus treats an empty value as an absent label.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible, Sequence {
    /// The name of the label that carries the metric name.
    public static let metricName = "__name__"
    /// The label holding the metric type when type-and-unit labels are in use.
    public static let typeLabel = "__type__"
    /// The label holding the metric unit when type-and-unit labels are in use.
    public static let unitLabel = "__unit__"
    /// The label naming the upper bound of a classic histogram bucket.
    public static let bucketLabel = "le"

    /// The label pairs, sorted by name.
    public private(set) var pairs: [Label]

    /// The empty label set.
    public static let empty = Labels(sortedPairs: [])

    /// Creates a label set from pairs in any order; later duplicates win, empty values are dropped.
    public init(_ pairs: [Label]) {
        var byName: [String: String] = [:]
        for pair in pairs { byName[pair.name] = pair.value }
        self.pairs = byName.filter { !$0.value.isEmpty }.map { Label(name: $0.key, value: $0.value) }
            .sorted()
    }

    /// Creates a label set from a dictionary of name to value.
    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { Label(name: $0.key, value: $0.value) })
    }

    /// Creates a label set from pairs that are already sorted by name, unique and non-empty.
    public init(sortedPairs: [Label]) {
        self.pairs = sortedPairs
    }

    /// The number of labels.
    public var count: Int { pairs.count }

    /// Whether there are no labels.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Iterates the label pairs in name order.
    public func makeIterator() -> IndexingIterator<[Label]> { pairs.makeIterator() }

    /// The value of the label `name`, or the empty string when absent.
    public subscript(name: String) -> String {
        pairs.first { $0.name == name }?.value ?? ""
    }

    /// Whether a label named `name` is present.
    public func has(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    /// The metric name (`__name__`), or the empty string when absent.
    public var metricName: String { self[Labels.metricName] }

    /// Returns a copy with `name` set to `value`; an empty value removes the label.
    public func setting(_ name: String, to value: String) -> Labels {
        var copy = pairs.filter { $0.name != name }
        if !value.isEmpty {
            let index = copy.firstIndex { $0.name > name } ?? copy.endIndex
            copy.insert(Label(name: name, value: value), at: index)
        }
        return Labels(sortedPairs: copy)
    }

    /// Returns a copy without the labels in `names`.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedPairs: pairs.filter { !names.contains($0.name) })
    }

    /// Returns a copy holding only the labels in `names`.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedPairs: pairs.filter { names.contains($0.name) })
    }

    /// Returns a copy without the metric name and the type and unit labels that describe it.
    public func droppingMetricName() -> Labels {
        removing([Labels.metricName, Labels.typeLabel, Labels.unitLabel])
    }

    /// Prometheus's label set ordering: pair by pair, then the shorter set first.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (l, r) in zip(lhs.pairs, rhs.pairs) where l != r {
            return l < r
        }
        return lhs.pairs.count < rhs.pairs.count
    }

    /// Renders the set as `name{a="b", c="d"}`, quoting names that are not legacy identifiers.
    public var description: String {
        let name = metricName
        let rest = pairs.filter { $0.name != Labels.metricName }
        let nameIsPlain = !name.isEmpty && Labels.isLegacyMetricName(name)
        var out = nameIsPlain ? name : ""
        var parts: [String] = []
        if !name.isEmpty && !nameIsPlain { parts.append(Labels.quote(name)) }
        for pair in rest {
            let label = Labels.isLegacyLabelName(pair.name) ? pair.name : Labels.quote(pair.name)
            parts.append("\(label)=\(Labels.quote(pair.value))")
        }
        if !parts.isEmpty || out.isEmpty { out += "{" + parts.joined(separator: ", ") + "}" }
        return out
    }

    /// Renders the set as Prometheus's `labels.Labels.String()` does, as its error messages show
    /// series: `{__name__="up", job="api"}`.
    public var bracedDescription: String {
        let parts = pairs.map { pair in
            let label = Labels.isLegacyLabelName(pair.name) ? pair.name : Labels.quote(pair.name)
            return "\(label)=\(Labels.quote(pair.value))"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isLegacyMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first,
            isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":")
        else { return false }
        return name.utf8.allSatisfy {
            isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":")
        }
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isLegacyLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") else {
            return false
        }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// Whether `name` is a valid label name: non-empty UTF-8 (Prometheus 3 accepts any UTF-8 name).
    public static func isValidLabelName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "\u{FFFD}" }
    }

    /// Quotes `text` with double quotes, escaping as Go's `strconv.Quote` does for common characters.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }
}
