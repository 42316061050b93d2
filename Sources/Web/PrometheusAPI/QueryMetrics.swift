import Exposition

/// The query engine's and API's own metrics, named after Prometheus's `prometheus_engine_*`
/// and `prometheus_http_*` with the `llmwatch_` prefix.
///
/// `llmwatch_engine_query_duration_seconds` is a histogram where Prometheus has a summary: a
/// histogram aggregates across instances and llmwatch's registry has no summary type.
public struct QueryMetrics: Sendable {
    let queries: Gauge
    let concurrentMax: Gauge
    let duration: HistogramFamily
    let samples: Counter
    let failures: CounterFamily
    let requests: CounterFamily
    let requestDuration: HistogramFamily

    /// Registers the families on `registry`; `maxConcurrency` is reported as a constant gauge.
    public init(registry: MetricRegistry, maxConcurrency: Int) {
        queries = registry.gauge(
            name: "llmwatch_engine_queries", help: "The current number of queries being executed or waiting."
        ).labels()
        concurrentMax = registry.gauge(
            name: "llmwatch_engine_queries_concurrent_max", help: "The max number of concurrent queries."
        ).labels()
        concurrentMax.set(Double(maxConcurrency))
        duration = registry.histogram(
            name: "llmwatch_engine_query_duration_seconds", help: "Query timings, by slice of the query's life.",
            labelNames: ["slice"], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 120])
        samples = registry.counter(
            name: "llmwatch_engine_query_samples_total",
            help: "The total number of samples loaded by all queries."
        ).labels()
        failures = registry.counter(
            name: "llmwatch_engine_query_failures_total", help: "Queries that failed, by reason.",
            labelNames: ["reason"])
        requests = registry.counter(
            name: "llmwatch_http_requests_total", help: "Counter of HTTP requests.", labelNames: ["handler", "code"])
        requestDuration = registry.histogram(
            name: "llmwatch_http_request_duration_seconds", help: "Histogram of latencies for HTTP requests.",
            labelNames: ["handler"], buckets: [0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120])
    }
}
