/// A source of metric families computed when a page is rendered rather than updated as events
/// happen: process metrics, build information, queue lengths read from elsewhere. Register one
/// with ``MetricRegistry/register(collector:)``.
///
/// `collect()` runs on the rendering task for every scrape; keep it quick. Its family names must
/// not repeat a family registered on the same registry.
public protocol MetricCollector: Sendable {
    /// The families to write on this page, each with its current values.
    func collect() -> [MetricFamilySnapshot]
}

/// A metric family with its values at one moment, as a ``MetricCollector`` returns it.
public struct MetricFamilySnapshot: Sendable {
    /// The samples of a family, by type.
    public enum Metrics: Sendable {
        /// Counter series; counter names should end in `_total`.
        case counter([NumberSample])
        /// Gauge series.
        case gauge([NumberSample])
        /// Series of no declared type.
        case untyped([NumberSample])
        /// Histogram series.
        case histogram([HistogramSnapshot])
    }

    /// The metric name.
    public let name: String
    /// The help text of the `# HELP` line.
    public let help: String
    /// The series with their values.
    public let metrics: Metrics

    /// Creates a snapshot.
    ///
    /// - Precondition: `name` and every label name are valid Prometheus names; histogram
    ///   series have one cumulative count per bound plus one for `+Inf` (programmer errors:
    ///   these come from code).
    public init(name: String, help: String, metrics: Metrics) {
        precondition(NameRules.isValidMetricName(name), "invalid metric name \"\(name)\"")
        self.name = name
        self.help = help
        self.metrics = metrics
        switch metrics {
        case .counter(let samples), .gauge(let samples), .untyped(let samples):
            for sample in samples { Self.checkLabels(sample.labels, metric: name) }
        case .histogram(let series):
            for histogram in series {
                Self.checkLabels(histogram.labels, metric: name)
                precondition(
                    histogram.cumulativeCounts.count == histogram.upperBounds.count + 1,
                    "\(name): need one cumulative count per bound plus one for +Inf")
            }
        }
    }

    /// A gauge family with a single series: the common case for process metrics.
    public static func gauge(name: String, help: String, value: Double, labels: [Label] = [])
        -> MetricFamilySnapshot
    {
        MetricFamilySnapshot(
            name: name, help: help, metrics: .gauge([NumberSample(labels: labels, value: value)]))
    }

    /// A counter family with a single series.
    public static func counter(name: String, help: String, value: Double, labels: [Label] = [])
        -> MetricFamilySnapshot
    {
        MetricFamilySnapshot(
            name: name, help: help, metrics: .counter([NumberSample(labels: labels, value: value)]))
    }

    private static func checkLabels(_ labels: [Label], metric: String) {
        for label in labels {
            precondition(
                NameRules.isValidLabelName(label.name) && !label.name.hasPrefix("__"),
                "\(metric): invalid label name \"\(label.name)\"")
        }
    }

    /// Writes the family in `format`, rendering its labels on the spot.
    func render(into buffer: inout ByteSink, format: ExpositionFormat) {
        switch metrics {
        case .counter(let samples):
            let familyName =
                format == .openMetrics && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
            FamilyHeader.render(name: familyName, help: help, type: .counter, format: format, into: &buffer)
            let sampleName = format == .openMetrics ? familyName + "_total" : name
            Self.render(samples, name: sampleName, format: format, into: &buffer)
        case .gauge(let samples):
            FamilyHeader.render(name: name, help: help, type: .gauge, format: format, into: &buffer)
            Self.render(samples, name: name, format: format, into: &buffer)
        case .untyped(let samples):
            FamilyHeader.render(name: name, help: help, type: .untyped, format: format, into: &buffer)
            Self.render(samples, name: name, format: format, into: &buffer)
        case .histogram(let series):
            FamilyHeader.render(name: name, help: help, type: .histogram, format: format, into: &buffer)
            for histogram in series {
                histogram.render(name: name, format: format, into: &buffer)
            }
        }
    }

    private static func render(
        _ samples: [NumberSample], name: String, format: ExpositionFormat, into buffer: inout ByteSink
    ) {
        for sample in samples {
            buffer.appendUTF8(name)
            buffer.append(array: SeriesLabels.braced(sample.labels))
            buffer.append(UInt8(ascii: " "))
            buffer.appendFloat(sample.value, format: format)
            buffer.append(UInt8(ascii: "\n"))
        }
    }
}

/// One series of a counter, gauge or untyped snapshot.
public struct NumberSample: Sendable {
    /// The series' labels, in the order they are written.
    public var labels: [Label]
    /// The value.
    public var value: Double

    /// Creates a sample.
    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// One histogram series at one moment.
public struct HistogramSnapshot: Sendable {
    /// The series' labels (never `le`), in the order they are written.
    public var labels: [Label]
    /// Finite bucket upper bounds, strictly increasing; `+Inf` is implied.
    public var upperBounds: [Double]
    /// Cumulative counts: one per bound, then the `+Inf` bucket (the total count).
    public var cumulativeCounts: [UInt64]
    /// The sum of the observations.
    public var sum: Double

    /// Creates a histogram snapshot.
    public init(labels: [Label] = [], upperBounds: [Double], cumulativeCounts: [UInt64], sum: Double) {
        self.labels = labels
        self.upperBounds = upperBounds
        self.cumulativeCounts = cumulativeCounts
        self.sum = sum
    }

    func render(name: String, format: ExpositionFormat, into buffer: inout ByteSink) {
        let open = SeriesLabels.open(labels)
        let braced = SeriesLabels.braced(labels)
        for (index, count) in cumulativeCounts.enumerated() {
            buffer.appendUTF8(name)
            buffer.appendUTF8("_bucket")
            buffer.append(array: open)
            buffer.appendUTF8("le=\"")
            buffer.appendFloat(index < upperBounds.count ? upperBounds[index] : .infinity, format: format)
            buffer.appendUTF8("\"} ")
            buffer.appendDecimal(count)
            buffer.append(UInt8(ascii: "\n"))
        }
        buffer.appendUTF8(name)
        buffer.appendUTF8("_sum")
        buffer.append(array: braced)
        buffer.append(UInt8(ascii: " "))
        buffer.appendFloat(sum, format: format)
        buffer.append(UInt8(ascii: "\n"))
        buffer.appendUTF8(name)
        buffer.appendUTF8("_count")
        buffer.append(array: braced)
        buffer.append(UInt8(ascii: " "))
        buffer.appendDecimal(cumulativeCounts.last ?? 0)
        buffer.append(UInt8(ascii: "\n"))
    }
}
