import AsyncHTTPClient
import Exposition
import Foundation
import Logging
import Series
import TestSupport
import Testing

@testable import Notifier

/// A real Alertmanager (Debian's 0.25) that is down when an alert fires and starts later: the
/// alert arrives once it is up, shows in `amtool alert query`, reaches Alertmanager's webhook
/// once, and resolves.
@Suite(.enabled(if: Programs.isInstalled("prometheus-alertmanager") && Programs.isInstalled("amtool")))
struct AlertmanagerOutageTests {
    static func config(webhookPort: Int) -> String {
        """
        route:
          receiver: sink
          group_by: [alertname]
          group_wait: 0s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: sink
            webhook_configs:
              - url: http://127.0.0.1:\(webhookPort)/hook
                send_resolved: true
        """
    }

    @Test func anAlertFiredWhileAlertmanagerWasDownArrivesOnceItIsUp() async throws {
        let sink = WebhookSink()
        try await LocalServer.with({ sink.register($0) }) { webhookPort in
            let held = try Programs.holdPort()
            let port = held.port
            let notifier = Notifier(
                options: Notifier.Options(), client: HTTPClient.shared, registry: MetricRegistry(),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            await notifier.setAlertmanagers([HTTPDestination(url: "http://127.0.0.1:\(port)/api/v2/alerts")])
            await notifier.start()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let firing = PostableAlert(
                labels: Labels(["alertname": "LLMServiceDown", "model": "gpt-4o", "severity": "critical"]),
                annotations: Labels(["summary": "gpt-4o is down"]), startsAt: now, endsAt: now + 3_600_000,
                generatorURL: "http://127.0.0.1/graph")
            await notifier.send([firing], at: now)
            try await Task.sleep(for: .seconds(2))
            let status = await notifier.destinations
            #expect(status.first?.queued == 1, "the alert waits while nothing listens")

            held.release()
            let alertmanager = try await RunningAlertmanager.start(config: Self.config(webhookPort: webhookPort), port: port)
            do {
                let deadline = ContinuousClock.now + .seconds(60)
                var shown = ""
                while ContinuousClock.now < deadline {
                    shown = try await alertmanager.amtoolQuery()
                    if shown.contains("LLMServiceDown") { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(shown.contains("LLMServiceDown"), "amtool shows the alert:\n\(shown)")
                #expect(shown.contains("model=\"gpt-4o\""))
                _ = try await sink.waitFor { $0.contains("firing LLMServiceDown") }

                let resolvedAt = Int64(Date().timeIntervalSince1970 * 1000)
                var resolved = firing
                resolved.endsAt = resolvedAt
                await notifier.send([resolved], at: resolvedAt)
                let events = try await sink.waitFor { $0.contains("resolved LLMServiceDown") }
                #expect(events.filter { $0 == "firing LLMServiceDown" }.count == 1, "\(events)")
                await notifier.stop()
            } catch {
                await notifier.stop()
                await alertmanager.stop()
                throw error
            }
            await alertmanager.stop()
        }
    }
}
