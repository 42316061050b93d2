import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A webhook receiver that records the JSON bodies POSTed to it (Alertmanager's webhook
/// payloads), for tests to inspect.
public final class WebhookSink: Sendable {
    private let received = Mutex<[Data]>([])

    /// An empty sink.
    public init() {}

    /// Adds `POST path` to `router`.
    public func register(_ router: Router<BasicRequestContext>, path: String = "/hook") {
        router.post(RouterPath(path)) { request, _ in
            let body = try await request.body.collect(upTo: 4 << 20)
            self.received.withLock { $0.append(Data(buffer: body)) }
            return Response(status: .ok)
        }
    }

    /// The bodies so far.
    public var payloads: [[String: Any]] {
        received.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// `status alertname` of every alert in every payload so far, in order.
    public var events: [String] {
        payloads.flatMap { payload -> [String] in
            (payload["alerts"] as? [[String: Any]] ?? []).map { alert in
                let labels = alert["labels"] as? [String: String] ?? [:]
                return "\(alert["status"] as? String ?? "?") \(labels["alertname"] ?? "?")"
            }
        }
    }

    /// Waits until `condition` holds for the events or `timeout` passes; returns the events.
    public func waitFor(timeout: Duration = .seconds(30), _ condition: ([String]) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(events) { return events }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("webhook never saw the expected events; got \(events)")
    }
}
