import Evaluator
import Exposition
import Series
import Synchronization

/// The state of every SLO, taken from the results of its generated rule groups and served on
/// llmwatch's own `/metrics`: `llmwatch_slo_objective_ratio`, `llmwatch_slo_sli_error_ratio`
/// (per window), `llmwatch_slo_burn_rate` (per window), `llmwatch_slo_error_budget_remaining_ratio`
/// and `llmwatch_slo_compliance_ratio`, labelled `service`, `slo` (and `window`) plus the labels
/// the SLO is grouped by. The same values are in the store under the rules' Sloth names.
final class SLOExport: MetricCollector, Sendable {
    struct Entry: Sendable {
        var metric: String
        var labels: [Exposition.Label]
        var value: Double
    }

    /// Recorded names and the family each feeds.
    static let families: [String: (metric: String, help: String)] = [
        "slo:objective:ratio": ("llmwatch_slo_objective_ratio", "The fraction of good events each SLO promises."),
        "slo:sli_error:ratio_rate": ("llmwatch_slo_sli_error_ratio", "The error ratio of each SLO over each window."),
        "slo:burn_rate:ratio": (
            "llmwatch_slo_burn_rate", "How fast each SLO spends its error budget over each window (1 spends it in one period)."
        ),
        "slo:period_error_budget_remaining:ratio": (
            "llmwatch_slo_error_budget_remaining_ratio", "The share of each SLO's error budget left for its period."
        ),
        "slo:compliance:ratio": ("llmwatch_slo_compliance_ratio", "The good ratio each SLO achieved over its period."),
    ]

    private let entries = Mutex<[String: [Entry]]>([:])

    /// Takes the results of one group's evaluation; groups that are not SLO groups are ignored.
    func record(_ report: RuleGroupRunner.Report) {
        let group = report.evaluator.group.name
        guard group.hasPrefix("sloth-slo-") else { return }
        var fresh: [Entry] = []
        for result in report.results {
            let family: String
            if result.rule.hasPrefix("slo:sli_error:ratio_rate") {
                family = "slo:sli_error:ratio_rate"
            } else if Self.families[result.rule] != nil {
                family = result.rule
            } else {
                continue
            }
            guard let metric = Self.families[family]?.metric else { continue }
            for sample in result.samples where sample.value.isFinite {
                let labels = Self.labels(sample.labels, windowed: !sample.labels["sloth_window"].isEmpty)
                fresh.append(Entry(metric: metric, labels: labels, value: sample.value))
            }
        }
        entries.withLock { $0[group] = fresh }
    }

    /// Forgets groups that are no longer loaded.
    func keep(groups: Set<String>) {
        entries.withLock { entries in entries = entries.filter { groups.contains($0.key) } }
    }

    /// The latest value of `metric` for each label set, for the web page.
    func values(_ metric: String) -> [(labels: [Exposition.Label], value: Double)] {
        entries.withLock { $0.values.flatMap { $0 } }.filter { $0.metric == metric }.map { ($0.labels, $0.value) }
    }

    static func labels(_ labels: Labels, windowed: Bool) -> [Exposition.Label] {
        var out: [Exposition.Label] = [
            Exposition.Label("service", labels["sloth_service"]), Exposition.Label("slo", labels["sloth_slo"]),
        ]
        if windowed { out.append(Exposition.Label("window", labels["sloth_window"])) }
        for label in labels where !label.name.hasPrefix("sloth_") && label.name != Labels.metricName
            && !label.name.hasPrefix("__") && !["service", "slo", "window", "owner"].contains(label.name)
        {
            out.append(Exposition.Label(label.name, label.value))
        }
        return out
    }

    func collect() -> [MetricFamilySnapshot] {
        let all = entries.withLock { $0.values.flatMap { $0 } }
        var byMetric: [String: [NumberSample]] = [:]
        var seen: [String: Set<[String]>] = [:]
        for entry in all {
            let key = entry.labels.map { $0.name + "=" + $0.value }
            guard seen[entry.metric, default: []].insert(key).inserted else { continue }
            byMetric[entry.metric, default: []].append(NumberSample(labels: entry.labels, value: entry.value))
        }
        return Self.families.values.sorted { $0.metric < $1.metric }.map { family in
            MetricFamilySnapshot(name: family.metric, help: family.help, metrics: .gauge(byMetric[family.metric] ?? []))
        }
    }
}
