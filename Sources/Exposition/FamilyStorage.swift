import Synchronization

/// What the registry needs from each family it owns: what it was registered as (to tell a
/// repeated registration from a conflicting one) and how it writes itself.
protocol RenderableFamily: AnyObject, Sendable {
    /// Type, help, label names and buckets: equal signatures make a second registration return
    /// the first family.
    var signature: FamilySignature { get }
    /// Appends the family's `# HELP`, `# TYPE` and sample lines to `buffer`.
    func render(into buffer: inout ByteSink, format: ExpositionFormat)
}

/// Everything that identifies a registration besides the name.
struct FamilySignature: Equatable, Sendable {
    var type: MetricType
    var help: String
    var labelNames: [String]
    var buckets: [Double] = []
}

/// The children of a family, keyed by their label values, kept in creation order so pages are
/// stable from one scrape to the next.
struct ChildTable<Child: AnyObject & Sendable>: Sendable {
    private var index: [[String]: Int] = [:]
    private(set) var children: [Child] = []

    /// The child for `values`, created by `make` the first time.
    mutating func child(for values: [String], make: () -> Child) -> Child {
        if let position = index[values] { return children[position] }
        let child = make()
        index[values] = children.count
        children.append(child)
        return child
    }

    /// Removes the child for `values`; returns whether there was one.
    mutating func remove(_ values: [String]) -> Bool {
        guard let position = index.removeValue(forKey: values) else { return false }
        children.remove(at: position)
        for (key, other) in index where other > position { index[key] = other - 1 }
        return true
    }

    /// Removes every child.
    mutating func removeAll() {
        index.removeAll()
        children.removeAll()
    }
}

/// A family's `# HELP` and `# TYPE` lines, rendered once for each format.
struct FamilyHeader: Sendable {
    private let text004: [UInt8]
    private let openMetrics: [UInt8]

    /// Renders the header of family `name`; `openMetricsName` differs for counters (no `_total`).
    init(name: String, openMetricsName: String, help: String, type: MetricType) {
        text004 = Self.render(name: name, help: help, type: type, format: .text004)
        openMetrics = Self.render(name: openMetricsName, help: help, type: type, format: .openMetrics)
    }

    /// The header bytes for `format`.
    func bytes(_ format: ExpositionFormat) -> [UInt8] {
        format == .text004 ? text004 : openMetrics
    }

    /// Writes a header straight into `buffer`, for families rendered once (collectors).
    static func render<Output: ByteOutput>(
        name: String, help: String, type: MetricType, format: ExpositionFormat,
        into buffer: inout Output
    ) {
        buffer.appendUTF8("# HELP ")
        buffer.appendUTF8(name)
        buffer.append(UInt8(ascii: " "))
        buffer.appendEscaped(help, escapingQuotes: format == .openMetrics)
        buffer.appendUTF8("\n# TYPE ")
        buffer.appendUTF8(name)
        buffer.append(UInt8(ascii: " "))
        buffer.appendUTF8(type.keyword(in: format))
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func render(name: String, help: String, type: MetricType, format: ExpositionFormat)
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        render(name: name, help: help, type: type, format: format, into: &bytes)
        return bytes
    }
}

/// Label sets rendered to bytes once, when a child is created.
enum SeriesLabels {
    /// `{a="1",b="2"}`, or nothing for an empty label set.
    static func braced(names: [String], values: [String]) -> [UInt8] {
        guard !names.isEmpty else { return [] }
        var bytes = open(names: names, values: values)
        bytes[bytes.count - 1] = UInt8(ascii: "}")
        return bytes
    }

    /// `{a="1",b="2",` or `{`: the start of a label set that one more label (`le`) closes.
    static func open(names: [String], values: [String]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (name, value) in zip(names, values) {
            bytes.appendLabel(name: name, value: value)
            bytes.append(UInt8(ascii: ","))
        }
        return bytes
    }

    /// `{a="1",b="2"}` from labels given as pairs, or nothing for an empty set.
    static func braced(_ labels: [Label]) -> [UInt8] {
        braced(names: labels.map(\.name), values: labels.map(\.value))
    }

    /// `{a="1",b="2",` or `{` from labels given as pairs.
    static func open(_ labels: [Label]) -> [UInt8] {
        open(names: labels.map(\.name), values: labels.map(\.value))
    }
}

/// A `Double` kept in an atomic word, for counters and gauges that many tasks update.
struct AtomicDouble: ~Copyable, Sendable {
    private let bits: Atomic<UInt64>

    init(_ value: Double) {
        bits = Atomic(value.bitPattern)
    }

    /// The current value.
    var value: Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }

    /// Replaces the value.
    func store(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `amount` with a compare-and-swap loop (there is no atomic floating-point add).
    func add(_ amount: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            let (exchanged, original) = bits.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
