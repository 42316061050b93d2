/// Queries whose answers may differ between Prometheus 2.42 (the reference installed here) and
/// llmwatch (Prometheus 3 semantics), each with the reason. Only differences in behaviour that
/// Prometheus itself changed after 2.42 belong here; anything else is a bug to fix. docs/api.md
/// lists the same entries.
enum DifferentialAllowList {
    static let entries: [(expression: String, reason: String)] = [
        ("rate(request_duration_seconds_count[1h])", extrapolation),
        ("increase(request_duration_seconds_count[30m])", extrapolation),
        (#"increase(request_duration_seconds_bucket{le="+Inf"}[1h])"#, extrapolation),
        ("rate(http_requests_total[5m])[10m:1m]", extrapolation),
        ("queue_depth atan2 queue_depth", atan2Name),
    ]

    /// Where a counter starts inside the range and its first value is small, Prometheus 2.51 and
    /// later (prometheus/prometheus#13725) first shorten the extrapolation to half an interval and
    /// then stop it at the counter's zero point; 2.42 applied the zero point first and so
    /// extrapolates further. llmwatch follows 3.x.
    static let extrapolation =
        "rate/increase extrapolation at a counter's start: 2.42 limits at the zero point before the 1.1-interval check, 2.51+ after it (prometheus#13725)"

    /// Prometheus 2.46 (prometheus/prometheus#12595) made `atan2` drop the metric name, as every
    /// other arithmetic operator does; 2.42 keeps it. llmwatch follows 3.x.
    static let atan2Name = "atan2 drops __name__ since Prometheus 2.46 (prometheus#12595); 2.42 keeps it"

    /// The reason a difference in `expression` is allowed, if it is.
    static func reason(for expression: String) -> String? {
        entries.first { $0.expression == expression }?.reason
    }
}
