/// An exposition format a scrape may ask for, as `scrape_protocols` names it.
public enum ScrapeProtocol: String, Sendable, Hashable, CaseIterable {
    /// OpenMetrics 1.0.0 text.
    case openMetrics1_0_0 = "OpenMetricsText1.0.0"
    /// OpenMetrics 0.0.1 text (the same grammar as far as llmwatch reads it).
    case openMetrics0_0_1 = "OpenMetricsText0.0.1"
    /// The Prometheus text format 0.0.4.
    case prometheusText0_0_4 = "PrometheusText0.0.4"

    /// Names Prometheus knows that llmwatch cannot parse, with the reason.
    static let unsupported: [String: String] = [
        "PrometheusProto": "the protobuf exposition format is not implemented (it carries native histograms, which llmwatch does not store)",
        "PrometheusText1.0.0": "text format 1.0.0 (UTF-8 metric names) is not implemented; use PrometheusText0.0.4",
    ]

    /// Every name Prometheus accepts, sorted, for error messages.
    static let prometheusNames = (allCases.map(\.rawValue) + unsupported.keys).sorted()

    /// The media range this protocol adds to the `Accept` header (without a weight).
    public var mediaRange: String {
        switch self {
        case .openMetrics1_0_0: "application/openmetrics-text;version=1.0.0"
        case .openMetrics0_0_1: "application/openmetrics-text;version=0.0.1"
        case .prometheusText0_0_4: "text/plain;version=0.0.4"
        }
    }

    /// The `Accept` header Prometheus 2.42 sends when `scrape_protocols` is not set.
    public static let defaultAcceptHeader =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// The `Accept` header for `protocols` in order of preference, weighted as newer Prometheus
    /// versions weigh them, then `*/*`.
    public static func acceptHeader(_ protocols: [ScrapeProtocol]) -> String {
        var weight = 6
        var ranges: [String] = []
        for item in protocols {
            ranges.append("\(item.mediaRange);q=0.\(weight)")
            weight -= 1
        }
        ranges.append("*/*;q=0.\(weight)")
        return ranges.joined(separator: ",")
    }
}
