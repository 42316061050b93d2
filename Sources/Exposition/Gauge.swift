import Synchronization

/// A gauge family: one name, help text and label names, and one ``Gauge`` per set of label
/// values. Create it with ``MetricRegistry/gauge(name:help:labelNames:)``.
public final class GaugeFamily: Sendable, RenderableFamily {
    /// The registered metric name.
    public let name: String
    /// The help text of the `# HELP` line.
    public let help: String
    /// The label names every child has values for, in order.
    public let labelNames: [String]

    let signature: FamilySignature
    private let header: FamilyHeader
    private let sampleName: [UInt8]
    private let table = Mutex(ChildTable<Gauge>())

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        signature = FamilySignature(type: .gauge, help: help, labelNames: labelNames)
        header = FamilyHeader(name: name, openMetricsName: name, help: help, type: .gauge)
        sampleName = Array(name.utf8)
        if labelNames.isEmpty { _ = labels([]) }
    }

    /// The gauge for these label values, created at 0 on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: String...) -> Gauge {
        labels(values)
    }

    /// The gauge for these label values, created at 0 on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: [String]) -> Gauge {
        precondition(
            values.count == labelNames.count,
            "\(name) has labels \(labelNames), got \(values.count) values")
        return table.withLock { table in
            table.child(for: values) {
                Gauge(
                    labelValues: values,
                    series: SeriesLabels.braced(names: labelNames, values: values))
            }
        }
    }

    /// Removes the series with these label values from the page; returns whether it existed.
    @discardableResult
    public func remove(_ values: String...) -> Bool {
        remove(values)
    }

    /// Removes the series with these label values from the page; returns whether it existed.
    @discardableResult
    public func remove(_ values: [String]) -> Bool {
        table.withLock { $0.remove(values) }
    }

    /// Removes every series of the family (the HELP and TYPE lines stay).
    public func removeAll() {
        table.withLock { $0.removeAll() }
    }

    /// The series that exist now, in creation order.
    public var children: [Gauge] {
        table.withLock { $0.children }
    }

    func render(into buffer: inout ByteSink, format: ExpositionFormat) {
        buffer.append(array: header.bytes(format))
        for child in children {
            buffer.append(array: sampleName)
            buffer.append(array: child.series)
            buffer.append(UInt8(ascii: " "))
            buffer.appendFloat(child.value, format: format)
            buffer.append(UInt8(ascii: "\n"))
        }
    }
}

/// One gauge series: a value that goes up and down. Safe to change from any task.
public final class Gauge: Sendable {
    /// The label values of this series, in the order of the family's label names.
    public let labelValues: [String]
    /// `{name="value",...}` rendered once when the series was created.
    let series: [UInt8]
    private let storage = AtomicDouble(0)

    init(labelValues: [String], series: [UInt8]) {
        self.labelValues = labelValues
        self.series = series
    }

    /// Replaces the value.
    public func set(_ value: Double) {
        storage.store(value)
    }

    /// Adds `amount` (which may be negative).
    public func inc(_ amount: Double = 1) {
        storage.add(amount)
    }

    /// Subtracts `amount`.
    public func dec(_ amount: Double = 1) {
        storage.add(-amount)
    }

    /// The current value.
    public var value: Double {
        storage.value
    }
}
