import Evaluator
import Exposition
import Synchronization

/// Rule evaluation on llmwatch's own `/metrics`, after Prometheus's `prometheus_rule_*`
/// (named `llmwatch_rule_*`, with the same `rule_group="<file>;<name>"` label).
final class RuleGroupMetrics: MetricCollector, Sendable {
    private struct Group: Sendable {
        var interval: Double
        var rules: Int
        var lastDuration: Double
        var lastEvaluation: Double
        var iterations: Double
        var missed: Double
        var failures: Double
        var evaluations: Double
    }

    private let groups = Mutex<[String: Group]>([:])

    /// Takes one evaluation's report.
    func record(_ report: RuleGroupRunner.Report) {
        let group = report.evaluator.group
        let key = group.file + ";" + group.name
        let (seconds, attoseconds) = report.duration.components
        let failures = report.results.filter { $0.error != nil }.count
        groups.withLock { groups in
            var entry =
                groups[key]
                ?? Group(
                    interval: Double(group.interval ?? report.evaluator.defaultInterval) / 1000, rules: group.rules.count,
                    lastDuration: 0, lastEvaluation: 0, iterations: 0, missed: 0, failures: 0, evaluations: 0)
            entry.rules = group.rules.count
            entry.lastDuration = Double(seconds) + Double(attoseconds) / 1e18
            entry.lastEvaluation = Double(report.time) / 1000
            entry.iterations += 1 + Double(report.missed)
            entry.missed += Double(report.missed)
            entry.failures += Double(failures)
            entry.evaluations += Double(group.rules.count)
            groups[key] = entry
        }
    }

    /// Forgets groups that are no longer loaded.
    func keep(groups keys: Set<String>) {
        groups.withLock { groups in groups = groups.filter { keys.contains($0.key) } }
    }

    func collect() -> [MetricFamilySnapshot] {
        let snapshot = groups.withLock { $0 }.sorted { $0.key < $1.key }
        func family(_ name: String, _ help: String, counter: Bool = false, _ value: (Group) -> Double) -> MetricFamilySnapshot {
            let samples = snapshot.map { NumberSample(labels: [Label("rule_group", $0.key)], value: value($0.value)) }
            return MetricFamilySnapshot(name: name, help: help, metrics: counter ? .counter(samples) : .gauge(samples))
        }
        return [
            family("llmwatch_rule_group_interval_seconds", "The interval of each rule group.") { $0.interval },
            family("llmwatch_rule_group_rules", "The rules in each rule group.") { Double($0.rules) },
            family("llmwatch_rule_group_last_duration_seconds", "How long the last evaluation of each group took.") {
                $0.lastDuration
            },
            family("llmwatch_rule_group_last_evaluation_timestamp_seconds", "When each group was last evaluated.") {
                $0.lastEvaluation
            },
            family("llmwatch_rule_group_iterations_total", "Scheduled evaluations of each group, run or missed.", counter: true) {
                $0.iterations
            },
            family(
                "llmwatch_rule_group_iterations_missed_total", "Evaluations of each group skipped because one overran.",
                counter: true
            ) { $0.missed },
            family("llmwatch_rule_evaluations_total", "Rule evaluations, by group.", counter: true) { $0.evaluations },
            family("llmwatch_rule_evaluation_failures_total", "Rule evaluations that failed, by group.", counter: true) {
                $0.failures
            },
        ]
    }
}
