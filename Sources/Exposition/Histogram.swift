import Synchronization

/// A histogram family: one name, help text, label names and bucket bounds, and one
/// ``Histogram`` per set of label values. Create it with
/// ``MetricRegistry/histogram(name:help:labelNames:buckets:)``.
///
/// Each series renders cumulative `_bucket{le="..."}` lines (`+Inf` last), then `_sum` and
/// `_count`. OpenMetrics's optional `_created` is not written.
public final class HistogramFamily: Sendable, RenderableFamily {
    /// The registered metric name.
    public let name: String
    /// The help text of the `# HELP` line.
    public let help: String
    /// The label names every child has values for, in order (never `le`).
    public let labelNames: [String]
    /// The finite bucket upper bounds, strictly increasing; `+Inf` is implied.
    public let upperBounds: [Double]

    let signature: FamilySignature
    private let header: FamilyHeader
    private let names: HistogramSampleNames
    private let table = Mutex(ChildTable<Histogram>())

    init(name: String, help: String, labelNames: [String], upperBounds: [Double]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.upperBounds = upperBounds
        signature = FamilySignature(
            type: .histogram, help: help, labelNames: labelNames, buckets: upperBounds)
        header = FamilyHeader(name: name, openMetricsName: name, help: help, type: .histogram)
        names = HistogramSampleNames(name: name, upperBounds: upperBounds)
        if labelNames.isEmpty { _ = labels([]) }
    }

    /// Checks bucket bounds and drops a trailing `+Inf` (every histogram has that bucket).
    static func upperBounds(_ buckets: [Double], metric: String) throws(RegistrationError) -> [Double] {
        var bounds = buckets
        if bounds.last == .infinity { bounds.removeLast() }
        for (index, bound) in bounds.enumerated() {
            guard bound.isFinite else {
                throw .invalidBuckets(metric: metric, reason: "bound \(bound) is not finite")
            }
            if index > 0, bound <= bounds[index - 1] {
                throw .invalidBuckets(metric: metric, reason: "bounds must be strictly increasing")
            }
        }
        return bounds
    }

    /// The histogram for these label values, created empty on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: String...) -> Histogram {
        labels(values)
    }

    /// The histogram for these label values, created empty on first use.
    ///
    /// - Precondition: as many values as the family has label names (a programmer error).
    public func labels(_ values: [String]) -> Histogram {
        precondition(
            values.count == labelNames.count,
            "\(name) has labels \(labelNames), got \(values.count) values")
        return table.withLock { table in
            table.child(for: values) {
                Histogram(
                    labelValues: values, upperBounds: upperBounds,
                    series: SeriesLabels.braced(names: labelNames, values: values),
                    bucketSeries: SeriesLabels.open(names: labelNames, values: values))
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
    public var children: [Histogram] {
        table.withLock { $0.children }
    }

    func render(into buffer: inout ByteSink, format: ExpositionFormat) {
        buffer.append(array: header.bytes(format))
        for child in children {
            child.render(into: &buffer, names: names, format: format)
        }
    }
}

/// The sample names of a histogram family and its `le` labels, rendered once per format.
struct HistogramSampleNames: Sendable {
    let bucket: [UInt8]
    let sum: [UInt8]
    let count: [UInt8]
    /// `le="0.005"} ` for each bucket, `+Inf` last: 0.0.4 spelling.
    let text004Bounds: [[UInt8]]
    /// The same in OpenMetrics spelling (`le="1.0"`).
    let openMetricsBounds: [[UInt8]]

    init(name: String, upperBounds: [Double]) {
        bucket = Array((name + "_bucket").utf8)
        sum = Array((name + "_sum").utf8)
        count = Array((name + "_count").utf8)
        text004Bounds = Self.bounds(upperBounds, format: .text004)
        openMetricsBounds = Self.bounds(upperBounds, format: .openMetrics)
    }

    func bounds(_ format: ExpositionFormat) -> [[UInt8]] {
        format == .text004 ? text004Bounds : openMetricsBounds
    }

    private static func bounds(_ upperBounds: [Double], format: ExpositionFormat) -> [[UInt8]] {
        (upperBounds + [.infinity]).map { bound in
            var bytes = Array("le=\"".utf8)
            bytes.appendFloat(bound, format: format)
            bytes.append(contentsOf: Array("\"} ".utf8))
            return bytes
        }
    }
}

/// One histogram series: counts of observations per bucket, their sum and their number. Safe to
/// observe from any task; each observation takes one short lock.
public final class Histogram: Sendable {
    /// The label values of this series, in the order of the family's label names.
    public let labelValues: [String]
    /// The finite bucket upper bounds; `+Inf` is implied.
    public let upperBounds: [Double]
    /// `{name="value",...}` for the `_sum` and `_count` lines.
    private let series: [UInt8]
    /// `{name="value",...,` (or `{`) that the `le` label completes on `_bucket` lines.
    private let bucketSeries: [UInt8]
    private let state: Mutex<State>

    /// Non-cumulative counts (one per finite bound, then the `+Inf` overflow), sum and count.
    private struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    init(labelValues: [String], upperBounds: [Double], series: [UInt8], bucketSeries: [UInt8]) {
        self.labelValues = labelValues
        self.upperBounds = upperBounds
        self.series = series
        self.bucketSeries = bucketSeries
        state = Mutex(State(counts: Array(repeating: 0, count: upperBounds.count + 1)))
    }

    /// Records one observation. A value lands in the first bucket whose bound is at least the
    /// value (bounds are inclusive); NaN lands in `+Inf` only and makes the sum NaN, as in
    /// client_golang.
    public func observe(_ value: Double) {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] >= value { high = middle } else { low = middle + 1 }
        }
        state.withLock { state in
            state.counts[low] &+= 1
            state.sum += value
            state.count &+= 1
        }
    }

    /// The number of observations.
    public var count: UInt64 {
        state.withLock { $0.count }
    }

    /// The sum of all observations.
    public var sum: Double {
        state.withLock { $0.sum }
    }

    /// Cumulative counts per bucket, one per finite bound and then `+Inf` (equal to ``count``).
    public var cumulativeCounts: [UInt64] {
        let counts = state.withLock { $0.counts }
        var total: UInt64 = 0
        return counts.map { count in
            total &+= count
            return total
        }
    }

    func render(into buffer: inout ByteSink, names: HistogramSampleNames, format: ExpositionFormat) {
        let bounds = names.bounds(format)
        state.withLock { state in
            var cumulative: UInt64 = 0
            for index in state.counts.indices {
                cumulative &+= state.counts[index]
                buffer.append(array: names.bucket)
                buffer.append(array: bucketSeries)
                buffer.append(array: bounds[index])
                buffer.appendDecimal(cumulative)
                buffer.append(UInt8(ascii: "\n"))
            }
            buffer.append(array: names.sum)
            buffer.append(array: series)
            buffer.append(UInt8(ascii: " "))
            buffer.appendFloat(state.sum, format: format)
            buffer.append(UInt8(ascii: "\n"))
            buffer.append(array: names.count)
            buffer.append(array: series)
            buffer.append(UInt8(ascii: " "))
            buffer.appendDecimal(state.count)
            buffer.append(UInt8(ascii: "\n"))
        }
    }
}
