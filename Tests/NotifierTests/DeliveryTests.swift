import AsyncHTTPClient
import Exposition
import Foundation
import Hummingbird
import Logging
import NIOCore
import Series
import Synchronization
import TestSupport
import Testing

@testable import Notifier

/// Delivery over real sockets: retries while the destination is down, drops what it refuses.
struct DeliveryTests {
    /// A stand-in for Alertmanager that records bodies and answers with `status`.
    final class Recorder: Sendable {
        let bodies = Mutex<[String]>([])
        let status = Mutex<HTTPResponse.Status>(.ok)

        func register(_ router: Router<BasicRequestContext>) {
            router.post("/api/v2/alerts") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                let status = self.status.withLock { $0 }
                if status == .ok { self.bodies.withLock { $0.append(String(buffer: body)) } }
                return Response(status: status)
            }
        }

        /// Alert names and states in the recorded bodies, in order.
        var delivered: [String] {
            bodies.withLock { $0 }.flatMap { body -> [String] in
                let alerts = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
                return alerts.map { alert in
                    let labels = alert["labels"] as? [String: String] ?? [:]
                    return "\(labels["alertname"] ?? "?")@\(alert["endsAt"] as? String ?? "-")"
                }
            }
        }
    }

    static func alert(_ name: String, endsAt: Int64) -> PostableAlert {
        PostableAlert(
            labels: Labels(["alertname": name]), annotations: .empty, startsAt: 1_000, endsAt: endsAt,
            generatorURL: "http://llmwatch/graph")
    }

    static func makeNotifier(url: String, registry: MetricRegistry) -> Notifier {
        var options = Notifier.Options()
        options.externalLabels = Labels(["cluster": "test"])
        // Retries at least every half second, so the test does not wait out a long backoff.
        options.maxBackoff = .milliseconds(500)
        return Notifier(
            options: options, client: HTTPClient.shared, registry: registry,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Gives up on a refused connection at once (AsyncHTTPClient otherwise retries it until the
    /// request's deadline), so the test sees attempts fail quickly while nothing listens.
    static let impatientClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .milliseconds(200))))

    @Test func alertsWaitForADownAlertmanagerAndArriveOnceInOrder() async throws {
        let held = try Programs.holdPort()
        let port = held.port
        let url = "http://127.0.0.1:\(port)/api/v2/alerts"
        let registry = MetricRegistry()
        var options = Notifier.Options()
        options.externalLabels = Labels(["cluster": "test"])
        options.maxBackoff = .milliseconds(500)
        let notifier = Notifier(
            options: options, client: Self.impatientClient, registry: registry,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        await notifier.setAlertmanagers([HTTPDestination(url: url)])
        await notifier.start()
        // While nothing listens: A fires (and is resent), B fires and resolves.
        await notifier.send([Self.alert("A", endsAt: 4_000_000_000_000), Self.alert("B", endsAt: 4_000_000_000_000)], at: 2_000)
        try await Task.sleep(for: .milliseconds(300))
        await notifier.send([Self.alert("A", endsAt: 4_000_000_060_000)], at: 62_000)
        await notifier.send([Self.alert("B", endsAt: 70_000)], at: 70_000)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await notifier.destinations.first?.queued == 3, "A's newest resend, B firing, B resolved")
        let recorder = Recorder()
        held.release()
        try await LocalServer.with(port: port, recorder.register) { _ in
            // Waits for the notifier to see its answers too, not only for the bodies to arrive:
            // on a loaded machine an answer can take longer than the server is kept up for.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let queued = await notifier.destinations.first?.queued ?? 0
                if recorder.delivered.count >= 3, queued == 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        await notifier.stop()
        let delivered = recorder.delivered
        #expect(delivered.count == 3, "\(delivered)")
        #expect(delivered.filter { $0.hasPrefix("A@") } == ["A@\(GoTime.rfc3339(milliseconds: 4_000_000_060_000))"], "the newest resend of A only")
        #expect(delivered.filter { $0.hasPrefix("B@") } == ["B@\(GoTime.rfc3339(milliseconds: 4_000_000_000_000))", "B@1970-01-01T00:01:10Z"],
            "B fired, then resolved")
        let page = String(decoding: registry.render(.text004), as: UTF8.self)
        #expect(page.contains("llmwatch_notifications_sent_total{destination=\"\(url)\"} 3"))
        #expect(!page.contains("llmwatch_notifications_errors_total{destination=\"\(url)\"} 0"))
        #expect(recorder.bodies.withLock { $0 }.allSatisfy { $0.contains("\"cluster\":\"test\"") })
    }

    @Test func aRefusedBatchIsDroppedAndCounted() async throws {
        let recorder = Recorder()
        recorder.status.withLock { $0 = .badRequest }
        try await LocalServer.with(recorder.register) { port in
            let registry = MetricRegistry()
            let notifier = Self.makeNotifier(url: "", registry: registry)
            let url = "http://127.0.0.1:\(port)/api/v2/alerts"
            await notifier.setAlertmanagers([HTTPDestination(url: url)])
            await notifier.start()
            await notifier.send([Self.alert("A", endsAt: 4_000_000_000_000)], at: 2_000)
            let deadline = ContinuousClock.now + .seconds(30)
            var page = ""
            while ContinuousClock.now < deadline {
                page = String(decoding: registry.render(.text004), as: UTF8.self)
                if page.contains("llmwatch_notifications_dropped_total{destination=\"\(url)\"} 1") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(page.contains("llmwatch_notifications_dropped_total{destination=\"\(url)\"} 1"))
            #expect(page.contains("llmwatch_notifications_queue_length{destination=\"\(url)\"} 0"))
            let status = await notifier.destinations
            #expect(status.first?.lastError?.hasPrefix("HTTP 400") == true)
            await notifier.stop()
        }
    }
}
