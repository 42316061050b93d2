import Exposition

/// The notifier's own metrics on llmwatch's `/metrics`, after Prometheus's
/// `prometheus_notifications_*` (named `llmwatch_notifications_*`, with a `destination` label
/// naming the Alertmanager or webhook URL).
struct NotifierMetrics: Sendable {
    private let sent: CounterFamily
    private let errors: CounterFamily
    private let dropped: CounterFamily
    private let latency: HistogramFamily
    private let queueLength: GaugeFamily
    private let alertmanagers: GaugeFamily

    init(registry: MetricRegistry, capacity: Int) {
        sent = registry.counter(
            name: "llmwatch_notifications_sent_total", help: "Alerts delivered, by destination.",
            labelNames: ["destination"])
        errors = registry.counter(
            name: "llmwatch_notifications_errors_total", help: "Requests to a destination that failed.",
            labelNames: ["destination"])
        dropped = registry.counter(
            name: "llmwatch_notifications_dropped_total",
            help: "Alerts given up on: queue overflow, refused by the destination, or undelivered at shutdown.",
            labelNames: ["destination"])
        latency = registry.histogram(
            name: "llmwatch_notifications_latency_seconds", help: "Time one delivery request took.",
            labelNames: ["destination"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        queueLength = registry.gauge(
            name: "llmwatch_notifications_queue_length", help: "Alerts or payloads waiting to be delivered.",
            labelNames: ["destination"])
        registry.gauge(
            name: "llmwatch_notifications_queue_capacity", help: "The most items one destination queues."
        ).labels().set(Double(capacity))
        alertmanagers = registry.gauge(
            name: "llmwatch_notifications_alertmanagers_discovered", help: "Alertmanagers alerts are sent to.")
    }

    /// The callbacks a delivery queue reports through.
    var counters: DeliveryCounters {
        var counters = DeliveryCounters()
        let sent = sent, errors = errors, dropped = dropped, latency = latency, queueLength = queueLength
        counters.sent = { sent.labels($0).inc(Double($1)) }
        counters.errors = { errors.labels($0).inc() }
        counters.dropped = { dropped.labels($0).inc(Double($1)) }
        counters.latency = { latency.labels($0).observe($1) }
        counters.queued = { queueLength.labels($0).set(Double($1)) }
        return counters
    }

    /// Records how many Alertmanagers are configured.
    func discovered(_ count: Int) {
        alertmanagers.labels().set(Double(count))
    }
}
