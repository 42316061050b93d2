import Exposition
import Web

/// `llmwatch_config_last_reload_successful` and
/// `llmwatch_config_last_reload_success_timestamp_seconds`, Prometheus's
/// `prometheus_config_last_reload_*`: alert on the first being 0 to hear of a rejected reload
/// (the old configuration, rules and SLOs keep running meanwhile).
struct ConfigReloadMetrics: MetricCollector {
    let status: ConfigLoadStatus

    func collect() -> [MetricFamilySnapshot] {
        [
            MetricFamilySnapshot(
                name: "llmwatch_config_last_reload_successful",
                help: "Whether the last configuration reload attempt was successful.",
                metrics: .gauge([NumberSample(labels: [], value: status.success ? 1 : 0)])),
            MetricFamilySnapshot(
                name: "llmwatch_config_last_reload_success_timestamp_seconds",
                help: "Timestamp of the last successful configuration reload.",
                metrics: .gauge([
                    NumberSample(labels: [], value: status.lastSuccess.timeIntervalSince1970.rounded(.down))
                ])),
        ]
    }
}
