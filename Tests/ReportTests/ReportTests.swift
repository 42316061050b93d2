import AsyncHTTPClient
import Foundation
import RemoteQuery
import TestSupport
import Testing

@testable import Report

/// Reports from a real Prometheus 2.42 holding a week of known history (backfilled with
/// `promtool tsdb create-blocks-from openmetrics`): the figures are the ones the history implies.
@Suite(.enabled(if: Programs.isInstalled("prometheus") && Programs.isInstalled("promtool")))
struct ReportTests {
    static let minute: Int64 = 60_000

    /// A week to `end`, one sample a minute: model `a` gets 10 requests a minute, 1 of them
    /// failing, 0.002 USD a minute, latencies all in the 0.5-1 s bucket; model `b` 5 requests a
    /// minute, none failing; `ALERTS` shows an hour of firing for `LLMHighLatency` on `a`, ending two hours before `end`.
    static func history(end: Int64) -> String {
        var lines = [
            "# TYPE llm_request counter", "# TYPE llm_error counter", "# TYPE llm_cost_usd counter",
            "# TYPE llm_request_duration_seconds histogram", "# TYPE llm_probe_success gauge",
            "# TYPE llm_sla_target_seconds gauge", "# TYPE ALERTS gauge",
        ]
        let start = end - 7 * 24 * 60 * minute
        var families: [String: [String]] = [:]
        var minuteIndex: Int64 = 0
        var time = start
        while time <= end {
            let seconds = String(format: "%.3f", Double(time) / 1000)
            let n = Double(minuteIndex)
            families["llm_request", default: []] += [
                "llm_request_total{model=\"a\",provider=\"openai\",operation=\"probe\"} \(10 * n) \(seconds)",
                "llm_request_total{model=\"b\",provider=\"anthropic\",operation=\"probe\"} \(5 * n) \(seconds)",
            ]
            families["llm_error", default: []] += [
                "llm_error_total{model=\"a\",provider=\"openai\",operation=\"probe\",type=\"timeout\"} \(n) \(seconds)",
                "llm_error_total{model=\"b\",provider=\"anthropic\",operation=\"probe\",type=\"timeout\"} 0 \(seconds)",
            ]
            families["llm_cost_usd", default: []] += [
                "llm_cost_usd_total{model=\"a\",provider=\"openai\"} \(0.002 * n) \(seconds)"
            ]
            for (le, count) in [("0.5", 0.0), ("1", 9 * n), ("+Inf", 9 * n)] {
                families["llm_request_duration_seconds", default: []].append(
                    "llm_request_duration_seconds_bucket{model=\"a\",provider=\"openai\",operation=\"probe\",le=\"\(le)\"} \(count) \(seconds)")
            }
            families["llm_request_duration_seconds", default: []] += [
                "llm_request_duration_seconds_sum{model=\"a\",provider=\"openai\",operation=\"probe\"} \(0.75 * 9 * n) \(seconds)",
                "llm_request_duration_seconds_count{model=\"a\",provider=\"openai\",operation=\"probe\"} \(9 * n) \(seconds)",
            ]
            families["llm_probe_success", default: []] += [
                "llm_probe_success{model=\"a\",provider=\"openai\",operation=\"probe\"} \(minuteIndex % 10 == 0 ? 0 : 1) \(seconds)",
                "llm_probe_success{model=\"b\",provider=\"anthropic\",operation=\"probe\"} 1 \(seconds)",
            ]
            families["llm_sla_target_seconds", default: []] += [
                "llm_sla_target_seconds{model=\"a\",provider=\"openai\"} 2 \(seconds)"
            ]
            if time >= end - 180 * minute, time < end - 120 * minute {
                families["ALERTS", default: []].append(
                    "ALERTS{alertname=\"LLMHighLatency\",alertstate=\"firing\",model=\"a\",severity=\"warning\"} 1 \(seconds)")
            }
            time += minute
            minuteIndex += 1
        }
        for name in ["llm_request", "llm_error", "llm_cost_usd", "llm_request_duration_seconds", "llm_probe_success", "llm_sla_target_seconds", "ALERTS"] {
            lines += families[name] ?? []
        }
        // OpenMetrics wants each family's TYPE line right before its samples.
        var ordered: [String] = []
        for name in ["llm_request", "llm_error", "llm_cost_usd", "llm_request_duration_seconds", "llm_probe_success", "llm_sla_target_seconds", "ALERTS"] {
            ordered.append(lines.first { $0.hasPrefix("# TYPE \(name) ") }!)
            ordered += families[name] ?? []
        }
        return ordered.joined(separator: "\n") + "\n# EOF\n"
    }

    @Test func aWeekOfHistoryGivesTheFiguresItImplies() async throws {
        let end = (Int64(Date().timeIntervalSince1970 * 1000) - 10 * Self.minute) / Self.minute * Self.minute
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history.om")
        try Self.history(end: end).write(to: file, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data")
        let backfill = try await runProgram(
            try Programs.installed("promtool"), ["tsdb", "create-blocks-from", "openmetrics", file.path, data.path])
        #expect(backfill.status == 0, "\(backfill.output)")
        let prometheus = try await RunningPrometheus.start(
            config: "global: {scrape_interval: 1h}\n", flags: ["--storage.tsdb.retention.time=30d"], dataDirectory: data)
        defer { Task { await prometheus.stop() } }

        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(2))))
        defer { Task { try? await client.shutdown() } }
        let builder = ReportBuilder(client: PrometheusAPIClient(baseURL: prometheus.baseURL, client: client))
        // Off the minute grid, so windows hold the same samples in Prometheus 2 and 3.
        let to = end - 30_000
        let report = await builder.build(from: to - 24 * 60 * Self.minute, to: to)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let a = try #require(report.models.first { $0.model == "a" })
        let b = try #require(report.models.first { $0.model == "b" })
        #expect(abs((a.requests ?? 0) - 14_400) < 15, "10 a minute for a day: \(a.requests ?? -1)")
        #expect(abs((a.errorRatio ?? 0) - 0.1) < 1e-6)
        #expect(abs((a.meanLatency ?? 0) - 0.75) < 1e-9)
        #expect(a.p95Latency.map { $0 > 0.5 && $0 <= 1 } == true)
        #expect(abs((a.cost ?? 0) - 2.88) < 0.01)
        #expect(abs((a.availability ?? 0) - 0.9) < 0.002)
        #expect(b.errorRatio == 0)
        #expect(b.slaTarget == nil)
        let checks = Dictionary(uniqueKeysWithValues: report.compliance.map { ("\($0.model) \($0.metric)", $0.passed) })
        #expect(checks["a Response time (p95)"] == true)
        #expect(checks["a Error rate"] == false)
        #expect(checks["a Availability"] == false)
        #expect(checks["b Error rate"] == true)
        #expect(report.incidents.count == 1)
        let incident = try #require(report.incidents.first)
        #expect(incident.alert == "LLMHighLatency")
        #expect(abs(incident.start - (end - 180 * Self.minute)) <= Self.minute)
        #expect(incident.end.map { abs($0 - (end - 120 * Self.minute)) <= 6 * Self.minute } == true, "ends within the lookback after the last sample")
        #expect(report.previous.first { $0.model == "a" }.map { abs(($0.requests ?? 0) - 14_400) < 15 } == true)
        #expect(report.trends.map(\.title) == ["p95 request duration", "Error ratio", "Cost"])

        let html = ReportRenderer.render(report, as: .html)
        #expect(html.contains("<h2>SLA compliance</h2>"))
        #expect(html.contains("LLMHighLatency"))
        #expect(html.contains("<svg"))
        let csv = ReportRenderer.render(report, as: .csv)
        #expect(csv.split(separator: "\n").count == 3)
        #expect(csv.contains("\na,openai,"))
        let json = try JSONSerialization.jsonObject(with: Data(ReportRenderer.render(report, as: .json).utf8)) as? [String: Any]
        #expect((json?["models"] as? [[String: Any]])?.count == 2)
        await prometheus.stop()
    }
}
