import Config

/// The `monitoring:` configuration shape our users already write (seed 001):
///
/// ```yaml
/// monitoring:
///   models:
///     - {provider: openai, model: gpt-4, priority: high, sla_target: 2.0}
///   schedule:
///     performance_checks: {frequency: "*/6 hours", timeout: 300}
///     cost_analysis: {frequency: "daily at 2:00", timeout: 600}
/// ```
///
/// Every model runs every named schedule; the schedule's name becomes the `operation` label.
/// `alerts:` holds rule definitions for an evaluator, not for the probe: it is accepted and
/// left to `rules/`, which ships their PromQL form.
struct MonitoringDocument {
    let loader: ProbeConfigLoader

    func decode(_ document: ConfigMapping, source: String) throws -> ProbeConfig {
        try document.rejectUnknownKeys(allowed: ["monitoring"])
        let monitoring = try document.required("monitoring").mapping()
        try monitoring.rejectUnknownKeys(allowed: ["models", "schedule", "alerts"])
        var defaults = ProbeConfigLoader.ModelDefaults()
        if let scheduleNode = monitoring.optional("schedule") {
            var checks: [ScheduledCheck] = []
            for entry in try scheduleNode.mapping().entries {
                let check = try entry.value.mapping()
                try check.rejectUnknownKeys(allowed: ["frequency", "timeout"])
                let (schedule, text) = try loader.schedule(try check.required("frequency"))
                let timeout = try check.optional("timeout").map { node throws -> Duration in
                    let value = try node.duration(allowingSeconds: true)
                    guard value > .zero else { throw node.error("timeout must be longer than 0s") }
                    return value
                } ?? defaults.timeout
                checks.append(ScheduledCheck(operation: entry.key, schedule: schedule, scheduleText: text, timeout: timeout))
            }
            if checks.isEmpty { throw scheduleNode.error("schedule: no entries; add e.g. performance_checks: {frequency: \"*/6 hours\"}") }
            defaults.checks = checks
        }
        let modelNodes = try monitoring.required("models").sequence()
        if modelNodes.isEmpty { throw monitoring.node.error("models: the list is empty; add at least one model to probe") }
        var config = ProbeConfig(models: [], source: source)
        for node in modelNodes {
            config.models.append(try loader.model(node, defaults: defaults))
        }
        try loader.validate(config, nodes: modelNodes)
        return config
    }
}
