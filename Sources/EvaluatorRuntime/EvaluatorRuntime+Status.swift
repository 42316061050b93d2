import Evaluator
import Exposition
import Foundation
import Notifier
import PromQL
import Scrape
import Series
import Web

extension EvaluatorRuntime: EvaluatorStatusProvider {
    public func ruleGroups() async -> [RuleManager.GroupStatus] {
        await rules.statuses
    }

    public func targets() -> (active: [ActiveTarget], dropped: [DroppedTarget]) {
        (scrape.activeTargets, scrape.droppedTargets)
    }

    public func notificationDestinations() async -> [Notifier.DestinationStatus] {
        await notifier.destinations
    }

    public func reload() async -> String? {
        do {
            try await reload() as Void
            return nil
        } catch {
            logger.error("reload failed; the running configuration stays", metadata: ["err": "\(error)"])
            return "\(error)"
        }
    }

    public func graph(_ expr: String, range: Int64) async -> GraphResult {
        let now = Self.now()
        do {
            return .series(try await rangeQuery(expr, start: now - range, end: now, step: max(range / 240, 1000)))
        } catch {
            return .failure("\(error)")
        }
    }

    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A range query on the store (or the remote data source), on the query threads.
    func rangeQuery(_ expr: String, start: Int64, end: Int64, step: Int64) async throws -> [MatrixSeries] {
        if let remote {
            return try await remote.rangeQuery(expr, start: start, end: end, step: step)
        }
        let engine = engine
        let db = db
        let value = try await api.executor.run { _ in
            try engine.rangeQuery(expr, start: start, end: end, step: step, source: db).value
        }
        guard case .matrix(let series) = value else { return [] }
        return series
    }

    /// An instant query at `time`, as a vector (empty for other results or on failure).
    func vector(_ expr: String, at time: Int64) async -> [VectorSample] {
        if let remote {
            guard case .vector(let samples)? = try? await remote.instantQuery(expr, at: time) else { return [] }
            return samples
        }
        let engine = engine
        let db = db
        let value = try? await api.executor.run { _ in try engine.instantQuery(expr, at: time, source: db).value }
        guard case .vector(let samples)? = value else { return [] }
        return samples
    }

    public func console(range requested: Int64) async -> ConsoleModel {
        let now = Self.now()
        // Charts cover the data there is: a store that started ten minutes ago gets ten-minute charts.
        var range = requested
        if remote == nil, let oldest = db.stats.minTime, oldest != .max, now - oldest < range {
            range = max(now - oldest, 5 * 60_000)
        }
        var model = ConsoleModel(time: now, chartRange: range, version: LLMWatchVersion.current)
        let groups = await rules.statuses
        for status in groups {
            let evaluator = status.evaluator
            for (index, rule) in evaluator.group.rules.enumerated() {
                model.rules.append(
                    .init(
                        group: evaluator.group.name, name: rule.name, kind: rule.kind == .alerting ? "alerting" : "recording",
                        query: rule.expr.description, health: evaluator.health(ofRule: index).rawValue,
                        lastError: evaluator.lastErrors[index], lastEvaluation: evaluator.lastEvaluations[index],
                        evaluationSeconds: evaluator.lastDurations[index].map(Self.seconds)))
                for alert in evaluator.activeAlerts(ofRule: index) {
                    model.alerts.append(
                        .init(
                            name: rule.name, labels: alert.labels, annotations: alert.annotations,
                            state: alert.state.rawValue, activeAt: alert.activeAt, value: alert.value))
                }
            }
        }
        model.targets = scrape.activeTargets.map { target in
            .init(
                pool: target.scrapePool, url: target.scrapeURL, health: target.health.rawValue,
                lastScrape: target.lastScrape.map { Int64($0.timeIntervalSince1970 * 1000) },
                lastDuration: target.lastScrape == nil ? nil : target.lastScrapeDuration,
                lastError: target.lastError.isEmpty ? nil : target.lastError)
        }
        model.notifications = await notifier.destinations.map { ($0.url, $0.queued, $0.lastError) }
        model.objectives = await objectives(now: now, range: range)
        model.models = await modelCharts(now: now, range: range)
        return model
    }

    private func objectives(now: Int64, range: Int64) async -> [ConsoleModel.Objective] {
        typealias Labels = [Exposition.Label]
        func value(_ labels: Labels, _ name: String) -> String { labels.first { $0.name == name }?.value ?? "" }
        /// One row per SLO and label set (a model, for SLOs grouped by model), window aside.
        func key(_ labels: Labels) -> String {
            labels.filter { $0.name != "window" }.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        }
        func slo(_ labels: Labels) -> String { value(labels, "service") + "/" + value(labels, "slo") }
        var objectives: [String: Double] = [:]
        for (labels, ratio) in sloExport.values("llmwatch_slo_objective_ratio") { objectives[slo(labels)] = ratio }
        var periods: [String: String] = [:]
        for (labels, _) in sloExport.values("llmwatch_slo_sli_error_ratio") {
            let window = value(labels, "window")
            if window.hasSuffix("d"), (Int(window.dropLast()) ?? 0) >= 7 { periods[slo(labels)] = window }
        }
        var rows: [String: ConsoleModel.Objective] = [:]
        var rowLabels: [String: Labels] = [:]
        func row(_ labels: Labels) -> String {
            let id = key(labels)
            if rows[id] == nil {
                let extra = labels.filter { !["service", "slo", "window"].contains($0.name) }.map { "\($0.name)=\($0.value)" }
                rows[id] = .init(
                    name: slo(labels) + (extra.isEmpty ? "" : " (" + extra.joined(separator: ", ") + ")"), description: "",
                    objective: objectives[slo(labels)] ?? .nan, period: periods[slo(labels)] ?? "", compliance: nil,
                    budgetRemaining: nil, burnRates: [], burnDown: [])
                rowLabels[id] = labels.filter { $0.name != "window" }
            }
            return id
        }
        for (labels, ratio) in sloExport.values("llmwatch_slo_error_budget_remaining_ratio") {
            rows[row(labels)]?.budgetRemaining = ratio
        }
        for (labels, ratio) in sloExport.values("llmwatch_slo_compliance_ratio") { rows[row(labels)]?.compliance = ratio }
        for (labels, rate) in sloExport.values("llmwatch_slo_burn_rate") {
            rows[row(labels)]?.burnRates.append((value(labels, "window"), rate))
        }
        if rows.isEmpty {
            for (labels, _) in sloExport.values("llmwatch_slo_objective_ratio") { _ = row(labels) }
        }
        var out: [ConsoleModel.Objective] = []
        for id in rows.keys.sorted() {
            guard var objective = rows[id] else { continue }
            objective.burnRates.sort { Self.windowLength($0.window) < Self.windowLength($1.window) }
            let matchers = (rowLabels[id] ?? []).map { label -> String in
                let name = label.name == "service" ? "sloth_service" : label.name == "slo" ? "sloth_slo" : label.name
                return "\(name)=\(Series.Labels.quote(label.value))"
            }
            let expr = "slo:period_error_budget_remaining:ratio{\(matchers.joined(separator: ","))}"
            objective.burnDown = (try? await rangeQuery(expr, start: now - range, end: now, step: max(range / 120, 1000))) ?? []
            out.append(objective)
        }
        return out
    }

    /// Per model: p95 request duration against its SLA target, p95 time to first token, the
    /// error ratio and the cost rate.
    private func modelCharts(now: Int64, range: Int64) async -> [ConsoleModel.ModelCharts] {
        let models = await vector("group by (model, provider) (llm_request_total)", at: now)
            .map { ($0.labels["model"], $0.labels["provider"]) }.sorted { $0 < $1 }
        let step = max(range / 120, 1000)
        let window = PromQL.Formatting.duration(max(step * 4, 60_000))
        var out: [ConsoleModel.ModelCharts] = []
        for (model, provider) in models.prefix(20) {
            let selector = "model=\(Labels.quote(model)),provider=\(Labels.quote(provider))"
            let target = await vector("max(llm_sla_target_seconds{\(selector)})", at: now).first?.value
            let queries: [(String, String, String, Double?)] = [
                (
                    "p95 request duration", "s",
                    "histogram_quantile(0.95, sum by (le) (rate(llm_request_duration_seconds_bucket{\(selector)}[\(window)])))",
                    target
                ),
                (
                    "p95 time to first token", "s",
                    "histogram_quantile(0.95, sum by (le) (rate(llm_time_to_first_token_seconds_bucket{\(selector)}[\(window)])))",
                    nil
                ),
                (
                    "Error ratio", "",
                    "sum(rate(llm_error_total{\(selector)}[\(window)])) / sum(rate(llm_request_total{\(selector)}[\(window)]))",
                    nil
                ),
                ("Cost", " $/h", "sum(rate(llm_cost_usd_total{\(selector)}[\(window)])) * 3600", nil),
            ]
            var charts: [ConsoleModel.ModelCharts.Chart] = []
            for (title, unit, query, threshold) in queries {
                let series = (try? await rangeQuery(query, start: now - range, end: now, step: step)) ?? []
                charts.append(.init(title: title, unit: unit, series: series, threshold: threshold))
            }
            out.append(.init(model: model, provider: provider, charts: charts))
        }
        return out
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// `5m`, `1h`, `3d` in milliseconds, for ordering windows.
    static func windowLength(_ window: String) -> Int64 {
        guard let unit = window.last, let count = Int64(window.dropLast()) else { return .max }
        switch unit {
        case "m": return count * 60_000
        case "h": return count * 3_600_000
        case "d": return count * 86_400_000
        default: return count
        }
    }
}

/// The version the runtime reports; set by the executable.
public enum LLMWatchVersion {
    /// llmwatch's version.
    public static let current = "0.1.0"
}
