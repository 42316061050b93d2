/// The type a `# TYPE` line declares for a metric family.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    /// A monotonically increasing value; samples end in `_total` (and `_created` in OpenMetrics).
    case counter
    /// A value that goes up and down.
    case gauge
    /// Cumulative buckets with `_bucket{le=...}`, `_sum` and `_count` samples.
    case histogram
    /// Quantiles with `{quantile=...}`, `_sum` and `_count` samples.
    case summary
    /// No declared type: `untyped` in the 0.0.4 text format, `unknown` in OpenMetrics.
    case untyped
    /// OpenMetrics gauge histogram: `_bucket`, `_gcount` and `_gsum` samples.
    case gaugeHistogram = "gaugehistogram"
    /// OpenMetrics info metric: `_info` samples with value 1.
    case info
    /// OpenMetrics state set: one sample per state, value 0 or 1.
    case stateSet = "stateset"

    /// The word written after the family name on a `# TYPE` line in `format`.
    public func keyword(in format: ExpositionFormat) -> String {
        if self == .untyped && format == .openMetrics { return "unknown" }
        return rawValue
    }
}
