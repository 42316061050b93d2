import Synchronization

/// A counter family: one name, help text and label names, and one ``Counter`` per set of label
/// values. Create it with ``MetricRegistry/counter(name:help:labelNames:)``.
///
/// Name counters with a `_total` suffix (`llm_requests_total`): the 0.0.4 page uses the name as
/// given; OpenMetrics names the family without `_total` and its samples with it.
public final class CounterFamily: Sendable, RenderableFamily {
    /// The registered metric name.
    public let name: String
    /// The help text of the `# HELP` line.
    public let help: String
    /// The label names every child has values for, in order.
    public let labelNames: [String]

    let signature: FamilySignature
    private let header: FamilyHeader
    private let text004SampleName: [UInt8]
    private let openMetricsSampleName: [UInt8]
    private let table = Mutex(ChildTable<Counter>())

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        signature = FamilySignature(type: .counter, help: help, labelNames: labelNames)
        let openMetricsName = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
        header = FamilyHeader(name: name, openMetricsName: openMetricsName, help: help, type: .counter)
        text004SampleName = Array(name.utf8)
        openMetricsSampleName = Array((openMetricsName + "_total").utf8)
        // A family without labels has exactly one series; show it (at 0) from the start.
        if labelNames.isEmpty { _ = labels([]) }
    }

    /// The counter for these label values, created at 0 on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: String...) -> Counter {
        labels(values)
    }

    /// The counter for these label values, created at 0 on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: [String]) -> Counter {
        precondition(
            values.count == labelNames.count,
            "\(name) has labels \(labelNames), got \(values.count) values")
        return table.withLock { table in
            table.child(for: values) {
                Counter(
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
    public var children: [Counter] {
        table.withLock { $0.children }
    }

    func render(into buffer: inout ByteSink, format: ExpositionFormat) {
        buffer.append(array: header.bytes(format))
        let sampleName = format == .text004 ? text004SampleName : openMetricsSampleName
        for child in children {
            buffer.append(array: sampleName)
            buffer.append(array: child.series)
            buffer.append(UInt8(ascii: " "))
            buffer.appendFloat(child.value, format: format)
            buffer.append(UInt8(ascii: "\n"))
        }
    }
}

/// One counter series: a value that only goes up. Safe to increment from any task.
public final class Counter: Sendable {
    /// The label values of this series, in the order of the family's label names.
    public let labelValues: [String]
    /// `{name="value",...}` rendered once when the series was created.
    let series: [UInt8]
    private let storage = AtomicDouble(0)

    init(labelValues: [String], series: [UInt8]) {
        self.labelValues = labelValues
        self.series = series
    }

    /// Adds `amount`. A counter never goes down: a negative or NaN amount is ignored, since
    /// amounts often come from provider responses rather than from code.
    public func inc(_ amount: Double = 1) {
        guard amount > 0 else { return }
        storage.add(amount)
    }

    /// The current value.
    public var value: Double {
        storage.value
    }
}
