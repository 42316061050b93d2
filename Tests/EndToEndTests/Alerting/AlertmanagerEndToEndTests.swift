import Foundation
import TestSupport
import Testing

/// Issue 5's end-to-end test with a real Alertmanager: `llmwatch evaluate` scrapes a local
/// exporter every second and evaluates an alerting rule on it; when the exporter's value crosses
/// the threshold the alert shows in `amtool alert query`, and when it falls back the alert is
/// resolved there, long before the `endsAt` of its firing notifications would expire it.
@Suite(
    "llmwatch evaluate to a real Alertmanager",
    .enabled(
        if: Programs.isInstalled("prometheus-alertmanager") && Programs.isInstalled("amtool")))
struct AlertmanagerEndToEndTests {
    static let rules = """
        groups:
          - name: queues
            rules:
              - alert: QueueBacklog
                expr: queue_depth > 10
                for: 1s
                labels: {severity: page}
                annotations:
                  summary: "queue {{ $labels.queue }} holds {{ $value }} items"

        """

    static func config(exporterPort: Int, alertmanagerPort: Int) -> String {
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: [rules.yml]
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ["127.0.0.1:\(alertmanagerPort)"]
        scrape_configs:
          - job_name: exporter
            static_configs:
              - targets: ["127.0.0.1:\(exporterPort)"]

        """
    }

    /// An Alertmanager that routes everything to a receiver that notifies no one.
    static let alertmanagerConfig = """
        route:
          receiver: nobody
          group_wait: 0s
          group_interval: 1s
        receivers:
          - name: nobody

        """

    /// The alerts `amtool alert query -o json` prints, as `(labels, annotations, state)`.
    static func amtoolAlerts(_ alertmanager: RunningAlertmanager) async throws
        -> [(labels: [String: String], annotations: [String: String], state: String, endsAt: Date?)]
    {
        let result = try await runProgram(
            try Programs.installed("amtool"),
            ["alert", "query", "--alertmanager.url=\(alertmanager.baseURL)", "-o", "json"])
        guard result.status == 0 else { throw TestFailure("amtool failed (\(result.status)): \(result.output)") }
        guard let array = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw TestFailure("amtool printed no JSON array: \(result.output)")
        }
        return array.map { alert in
            (
                alert["labels"] as? [String: String] ?? [:], alert["annotations"] as? [String: String] ?? [:],
                (alert["status"] as? [String: Any])?["state"] as? String ?? "?",
                (alert["endsAt"] as? String).flatMap(RFC3339.parse)
            )
        }
    }

    @Test func anAlertShowsInAmtoolAndResolvesWhenTheMetricRecovers() async throws {
        let exporter = GaugeExporter(1)
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await HeavyWork.limited {
            try await LocalServer.with({ exporter.register($0) }) { exporterPort in
                let alertmanager = try await RunningAlertmanager.start(config: Self.alertmanagerConfig)
                let evaluator: RunningEvaluator
                do {
                    try Self.rules.write(
                        to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
                    let configFile = directory.appendingPathComponent("prometheus.yml")
                    try Self.config(exporterPort: exporterPort, alertmanagerPort: alertmanager.port)
                        .write(to: configFile, atomically: true, encoding: .utf8)
                    evaluator = try await RunningEvaluator.start(
                        storage: directory.appendingPathComponent("data").path, ["--config.file=\(configFile.path)"])
                } catch {
                    await alertmanager.stop()
                    throw error
                }
                do {
                    try await Self.run(
                        exporter: exporter, exporterPort: exporterPort, evaluator: evaluator, alertmanager: alertmanager
                    )
                } catch {
                    print("llmwatch log:\n\(evaluator.process.output.suffix(4000))")
                    await evaluator.stop()
                    await alertmanager.stop()
                    throw error
                }
                await evaluator.stop()
                await alertmanager.stop()
            }
        }
    }

    static func run(
        exporter: GaugeExporter, exporterPort: Int, evaluator: RunningEvaluator, alertmanager: RunningAlertmanager
    ) async throws {
        // Scraped and evaluated with the value low: nothing in Alertmanager.
        try await waitUntil("the rule group to evaluate on scraped data", timeout: .seconds(15)) {
            let body = try await HTTP.get(evaluator.baseURL + "/api/v1/rules").body
            let scraped = try await HTTP.get(evaluator.baseURL + "/api/v1/query?query=queue_depth").body
            return body.contains(#""health":"ok""#) && scraped.contains(#""queue":"mail""#)
        } failure: {
            (try? await HTTP.get(evaluator.baseURL + "/api/v1/targets").body) ?? ""
        }
        let before = try await amtoolAlerts(alertmanager)
        #expect(before.isEmpty, "no alert while the value is low: \(before)")

        exporter.set(50)
        let raised = ContinuousClock.now
        var shown: [(labels: [String: String], annotations: [String: String], state: String, endsAt: Date?)] = []
        try await waitUntil("QueueBacklog in amtool alert query", timeout: .seconds(20)) {
            shown = try await amtoolAlerts(alertmanager).filter { $0.labels["alertname"] == "QueueBacklog" }
            return !shown.isEmpty
        } failure: {
            "amtool showed \(shown); llmwatch alerts: \((try? await HTTP.get(evaluator.baseURL + "/api/v1/alerts").body) ?? "")"
        }
        print("QueueBacklog reached Alertmanager \(ContinuousClock.now - raised) after the value rose")
        #expect(shown.count == 1, "only queue=mail crossed the threshold: \(shown)")
        let alert = try #require(shown.first)
        #expect(alert.labels["queue"] == "mail")
        #expect(alert.labels["severity"] == "page")
        #expect(alert.labels["job"] == "exporter")
        #expect(alert.labels["instance"] == "127.0.0.1:\(exporterPort)")
        #expect(alert.annotations["summary"] == "queue mail holds 50 items")
        #expect(alert.state == "active")
        // A firing alert is valid for 4 resend delays (1m by default): Alertmanager would keep it
        // for minutes unless llmwatch says it resolved.
        let validFor = (alert.endsAt ?? .distantPast).timeIntervalSinceNow
        #expect(validFor > 120, "endsAt of a firing alert lies ~4m ahead, got \(validFor)s")

        exporter.set(2)
        let lowered = ContinuousClock.now
        try await waitUntil("QueueBacklog to resolve in amtool alert query", timeout: .seconds(15)) {
            shown = try await amtoolAlerts(alertmanager).filter { $0.labels["alertname"] == "QueueBacklog" }
            return shown.isEmpty
        } failure: {
            "amtool still shows \(shown); llmwatch alerts: \((try? await HTTP.get(evaluator.baseURL + "/api/v1/alerts").body) ?? "")"
        }
        print("QueueBacklog resolved in Alertmanager \(ContinuousClock.now - lowered) after the value fell")
        let listed = try await AlertsAPI.list(evaluator.baseURL)
        #expect(listed.isEmpty, "llmwatch lists no active alert after recovery: \(listed)")
    }
}
