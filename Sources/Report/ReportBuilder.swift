import Foundation
import PromQL
import RemoteQuery
import Series

/// Gathers a report's figures from a Prometheus-compatible query API (a running `llmwatch
/// evaluate`, Prometheus, Thanos, ...): instant queries over the whole period at its end (and
/// at its start, for the period before), range queries for the trends and incidents. A figure
/// whose query fails is left out and the failure listed in the report.
public struct ReportBuilder: Sendable {
    /// The promises the SLA table checks besides each model's own `sla_target`.
    public struct Targets: Sendable {
        /// The least share of successful probes (0.999).
        public var availability = 0.999
        /// The largest share of failed requests (0.01).
        public var errorRatio = 0.01

        /// The seeds' defaults.
        public init() {}
    }

    /// The API.
    public let client: PrometheusAPIClient
    /// The SLA promises.
    public var targets = Targets()

    /// A builder reading `client`.
    public init(client: PrometheusAPIClient) {
        self.client = client
    }

    /// The report of `from...to` (milliseconds).
    public func build(from: Int64, to: Int64) async -> ReportModel {
        var report = ReportModel(from: from, to: to, source: client.baseURL)
        let range = Formatting.duration(max(to - from, 60_000))
        report.models = await figures(range: range, at: to, report: &report)
        report.previous = await figures(range: range, at: from, report: &report)
        report.compliance = compliance(report.models)
        report.objectives = await objectives(at: to, report: &report)
        report.incidents = await incidents(from: from, to: to, report: &report)
        report.trends = await trends(from: from, to: to, report: &report)
        return report
    }

    private typealias Setter = (inout ReportModel.ModelFigures, Double) -> Void

    private func figures(range: String, at time: Int64, report: inout ReportModel) async -> [ReportModel.ModelFigures] {
        let by = "by (model, provider)"
        let queries: [(String, Setter)] = [
            ("sum \(by) (increase(llm_request_total[\(range)]))", { $0.requests = $1 }),
            ("sum \(by) (increase(llm_error_total[\(range)]))", { $0.errors = $1 }),
            (
                "sum \(by) (increase(llm_request_duration_seconds_sum[\(range)])) / sum \(by) (increase(llm_request_duration_seconds_count[\(range)]))",
                { $0.meanLatency = $1 }
            ),
            (
                "histogram_quantile(0.95, sum by (model, provider, le) (increase(llm_request_duration_seconds_bucket[\(range)])))",
                { $0.p95Latency = $1 }
            ),
            (
                "histogram_quantile(0.95, sum by (model, provider, le) (increase(llm_time_to_first_token_seconds_bucket[\(range)])))",
                { $0.p95TimeToFirstToken = $1 }
            ),
            ("sum \(by) (increase(llm_cost_usd_total[\(range)]))", { $0.cost = $1 }),
            ("avg \(by) (avg_over_time(llm_probe_success[\(range)]))", { $0.availability = $1 }),
            ("max \(by) (max_over_time(llm_sla_target_seconds[\(range)]))", { $0.slaTarget = $1 }),
            (
                "sum \(by) (increase(llm_answer_checks_total{result=\"correct\"}[\(range)])) / sum \(by) (increase(llm_answer_checks_total[\(range)]))",
                { $0.accuracy = $1 }
            ),
        ]
        var rows: [String: ReportModel.ModelFigures] = [:]
        for (query, set) in queries {
            guard let samples = await vector(query, at: time, report: &report) else { continue }
            for sample in samples where sample.value.isFinite {
                let key = sample.labels["model"] + "\u{0}" + sample.labels["provider"]
                var row = rows[key] ?? ReportModel.ModelFigures(model: sample.labels["model"], provider: sample.labels["provider"])
                set(&row, sample.value)
                rows[key] = row
            }
        }
        return rows.values.sorted { ($0.model, $0.provider) < ($1.model, $1.provider) }
    }

    private func compliance(_ models: [ReportModel.ModelFigures]) -> [ReportModel.ComplianceCheck] {
        var checks: [ReportModel.ComplianceCheck] = []
        for row in models {
            if let target = row.slaTarget {
                checks.append(
                    .init(
                        model: row.model, metric: "Response time (p95)", target: "≤ \(Self.seconds(target))",
                        measured: row.p95Latency.map(Self.seconds) ?? "no data", passed: row.p95Latency.map { $0 <= target }))
            }
            checks.append(
                .init(
                    model: row.model, metric: "Availability", target: "≥ \(Self.percent(targets.availability))",
                    measured: row.availability.map(Self.percent) ?? "no data",
                    passed: row.availability.map { $0 >= targets.availability }))
            checks.append(
                .init(
                    model: row.model, metric: "Error rate", target: "< \(Self.percent(targets.errorRatio))",
                    measured: row.errorRatio.map(Self.percent) ?? "no data",
                    passed: row.errorRatio.map { $0 < targets.errorRatio }))
        }
        return checks
    }

    private func objectives(at time: Int64, report: inout ReportModel) async -> [ReportModel.Objective] {
        var byName: [String: ReportModel.Objective] = [:]
        let queries: [(String, (inout ReportModel.Objective, Double) -> Void)] = [
            ("slo:objective:ratio", { $0.objective = $1 }),
            ("slo:compliance:ratio", { $0.compliance = $1 }),
            ("slo:period_error_budget_remaining:ratio", { $0.budgetRemaining = $1 }),
        ]
        for (query, set) in queries {
            guard let samples = await vector(query, at: time, report: &report) else { continue }
            for sample in samples where sample.value.isFinite {
                let name = sample.labels["sloth_service"] + "/" + sample.labels["sloth_slo"]
                let extra = sample.labels.removing([
                    Labels.metricName, "sloth_id", "sloth_service", "sloth_slo", "sloth_window", "owner", "repo", "tier",
                ])
                let key = extra.isEmpty ? name : name + " " + extra.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                var objective = byName[key] ?? .init(name: key)
                set(&objective, sample.value)
                byName[key] = objective
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    private func incidents(from: Int64, to: Int64, report: inout ReportModel) async -> [ReportModel.Incident] {
        let step = max(60_000, (to - from) / 10_000)
        let series: [MatrixSeries]
        do {
            series = try await client.rangeQuery("ALERTS{alertstate=\"firing\"}", start: from, end: to, step: step)
        } catch {
            report.failures.append("incidents: \(error.description)")
            return []
        }
        var incidents: [ReportModel.Incident] = []
        for item in series {
            let labels = item.labels.removing([Labels.metricName, "alertname", "alertstate", "severity"])
            var runStart: Int64?
            var last: Int64?
            func close(end: Int64?) {
                guard let start = runStart else { return }
                incidents.append(
                    .init(
                        alert: item.labels["alertname"], severity: item.labels["severity"],
                        labels: labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", "), start: start, end: end))
            }
            for sample in item.samples {
                if let previous = last, sample.timestamp - previous > 2 * step {
                    close(end: previous + step)
                    runStart = nil
                }
                if runStart == nil { runStart = sample.timestamp }
                last = sample.timestamp
            }
            if let last { close(end: last + step >= to ? nil : last + step) }
        }
        return incidents.sorted { $0.start < $1.start }
    }

    private func trends(from: Int64, to: Int64, report: inout ReportModel) async -> [(title: String, unit: String, series: [MatrixSeries])] {
        let step = max(60_000, (to - from) / 120)
        let window = Formatting.duration(max(step * 4, 300_000))
        let charts: [(String, String, String)] = [
            (
                "p95 request duration", "s",
                "histogram_quantile(0.95, sum by (model, le) (rate(llm_request_duration_seconds_bucket[\(window)])))"
            ),
            (
                "Error ratio", "",
                "sum by (model) (rate(llm_error_total[\(window)])) / sum by (model) (rate(llm_request_total[\(window)]))"
            ),
            ("Cost", " USD/h", "sum by (model) (rate(llm_cost_usd_total[\(window)])) * 3600"),
        ]
        var out: [(title: String, unit: String, series: [MatrixSeries])] = []
        for (title, unit, query) in charts {
            do {
                out.append((title, unit, try await client.rangeQuery(query, start: from, end: to, step: step)))
            } catch {
                report.failures.append("\(title): \(error.description)")
            }
        }
        return out
    }

    private func vector(_ query: String, at time: Int64, report: inout ReportModel) async -> [VectorSample]? {
        do {
            guard case .vector(let samples) = try await client.instantQuery(query, at: time) else { return [] }
            return samples
        } catch {
            report.failures.append("\(query): \(error.description)")
            return nil
        }
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded()))ms" : String(format: "%.2fs", value)
    }

    static func percent(_ value: Double) -> String {
        String(format: "%.2f%%", value * 100)
    }
}
