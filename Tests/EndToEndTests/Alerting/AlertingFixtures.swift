import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// A local exporter serving `queue_depth{queue="mail"}` at a value the test sets, and
/// `queue_depth{queue="sms"}` fixed low, on `/metrics`.
final class GaugeExporter: Sendable {
    private let value = Mutex<Double>(0)

    /// The low value of `queue="sms"`, which never crosses a threshold.
    static let smsDepth = 3.0

    init(_ initial: Double) { value.withLock { $0 = initial } }

    /// Sets `queue_depth{queue="mail"}`; the next scrape sees it.
    func set(_ newValue: Double) { value.withLock { $0 = newValue } }

    /// The exposition page as it is now.
    var page: String {
        let mail = value.withLock { $0 }
        return """
            # HELP queue_depth Items waiting.
            # TYPE queue_depth gauge
            queue_depth{queue="mail"} \(mail)
            queue_depth{queue="sms"} \(Self.smsDepth)

            """
    }

    private let scrapes = Mutex<[(agent: String, time: Date, value: Double)]>([])

    /// Who scraped (`User-Agent`), when, and what value they got.
    var scrapeLog: [(agent: String, time: Date, value: Double)] { scrapes.withLock { $0 } }

    /// Adds `GET /metrics` to `router`.
    func register(_ router: Router<BasicRequestContext>) {
        router.get("/metrics") { request, _ in
            let agent = request.headers[.userAgent] ?? ""
            let current = self.value.withLock { $0 }
            self.scrapes.withLock { $0.append((agent, Date(), current)) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: self.page)))
        }
    }
}

/// One alert of one `POST /api/v2/alerts` body, with when the body arrived.
struct PostedAlert: Sendable, CustomStringConvertible {
    var labels: [String: String]
    var annotations: [String: String]
    var startsAt: Date
    var endsAt: Date?
    var generatorURL: String
    var arrived: Date

    /// The alert's identity: its labels, sorted.
    var key: String { AlertKey.of(labels) }

    /// Firing when it arrived: an end after the arrival (Alertmanager's `Resolved`, inverted).
    var isFiring: Bool { endsAt.map { $0 > arrived } ?? true }

    var description: String {
        "\(key) startsAt=\(startsAt.timeIntervalSince1970) endsAt=\(endsAt?.timeIntervalSince1970 ?? 0) "
            + "arrived=\(arrived.timeIntervalSince1970)"
    }
}

/// An Alertmanager v2 stand-in: accepts `POST /api/v2/alerts` and keeps every body with the
/// time it arrived.
final class AlertReceiver: Sendable {
    private let bodies = Mutex<[(arrived: Date, body: Data)]>([])
    private let types = Mutex<Set<String>>([])

    /// The `Content-Type` of every body so far.
    var contentTypes: Set<String> { types.withLock { $0 } }

    init() {}

    /// Adds `POST /api/v2/alerts` to `router`.
    func register(_ router: Router<BasicRequestContext>) {
        router.post("/api/v2/alerts") { request, _ in
            let body = try await request.body.collect(upTo: 4 << 20)
            let arrived = Date()
            self.bodies.withLock { $0.append((arrived, Data(buffer: body))) }
            self.types.withLock { _ = $0.insert(request.headers[.contentType] ?? "") }
            return Response(status: .ok)
        }
    }

    /// Every alert of every body so far, in arrival order; throws on a body that is not an
    /// array of postable alerts.
    func alerts() throws -> [PostedAlert] {
        try bodies.withLock { $0 }.flatMap { entry -> [PostedAlert] in
            guard let array = try JSONSerialization.jsonObject(with: entry.body) as? [[String: Any]] else {
                throw TestFailure("not a JSON array of alerts: \(String(decoding: entry.body, as: UTF8.self))")
            }
            return try array.map { try Self.parse($0, arrived: entry.arrived) }
        }
    }

    static func parse(_ object: [String: Any], arrived: Date) throws -> PostedAlert {
        guard let labels = object["labels"] as? [String: String], let startsText = object["startsAt"] as? String,
            let startsAt = RFC3339.parse(startsText)
        else { throw TestFailure("malformed postable alert: \(object)") }
        var endsAt: Date?
        if let text = object["endsAt"] as? String {
            guard let parsed = RFC3339.parse(text) else { throw TestFailure("malformed endsAt in \(object)") }
            endsAt = parsed
        }
        return PostedAlert(
            labels: labels, annotations: object["annotations"] as? [String: String] ?? [:], startsAt: startsAt,
            endsAt: endsAt, generatorURL: object["generatorURL"] as? String ?? "", arrived: arrived)
    }
}

enum AlertKey {
    /// `{a="1", b="2"}`-like text of `labels`, sorted by name.
    static func of(_ labels: [String: String]) -> String {
        "{" + labels.keys.sorted().map { "\($0)=\(labels[$0]!.debugDescription)" }.joined(separator: ", ") + "}"
    }
}

/// RFC 3339 times as Go writes them: with no fraction, milliseconds (Alertmanager's API) or
/// nanoseconds (Prometheus's `activeAt`).
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        var base = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + String(text[text.index(dot, offsetBy: digits.count + 1)...])
        }
        return ISO8601DateFormatter().date(from: base).map { $0.addingTimeInterval(fraction) }
    }
}

/// One alert as `/api/v1/alerts` lists it.
struct ListedAlert: Sendable {
    var labels: [String: String]
    var annotations: [String: String]
    var state: String
    var value: String
    var activeAt: Date?
    var key: String { AlertKey.of(labels) }
}

enum AlertsAPI {
    /// The alerts `/api/v1/alerts` of `baseURL` lists now.
    static func list(_ baseURL: String) async throws -> [ListedAlert] {
        let reply = try await HTTP.get(baseURL + "/api/v1/alerts")
        guard reply.status == 200,
            let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any], let alerts = data["alerts"] as? [[String: Any]]
        else { throw TestFailure("\(baseURL)/api/v1/alerts answered \(reply.status): \(reply.body.prefix(500))") }
        return alerts.map { alert in
            ListedAlert(
                labels: alert["labels"] as? [String: String] ?? [:],
                annotations: alert["annotations"] as? [String: String] ?? [:], state: alert["state"] as? String ?? "?",
                value: alert["value"] as? String ?? "?", activeAt: (alert["activeAt"] as? String).flatMap(RFC3339.parse)
            )
        }
    }
}

/// The states an alerts API showed over time, sampled by polling: per alert, the collapsed
/// sequence `inactive` (not listed yet), `pending`, `firing`, `resolved` (no longer listed).
final class AlertTimeline: Sendable {
    private let snapshots = Mutex<[(time: Date, states: [String: String])]>([])
    private let latest = Mutex<[String: ListedAlert]>([:])

    init() {}

    /// Records what `/api/v1/alerts` of `baseURL` lists now.
    func sample(_ baseURL: String) async throws {
        let alerts = try await AlertsAPI.list(baseURL)
        let time = Date()
        snapshots.withLock { $0.append((time, Dictionary(alerts.map { ($0.key, $0.state) }) { a, _ in a })) }
        latest.withLock { latest in
            for alert in alerts { latest[alert.key] = alert }
        }
    }

    /// How many times the API was sampled.
    var count: Int { snapshots.withLock { $0.count } }

    /// The last listing of each alert ever listed.
    var lastListed: [String: ListedAlert] { latest.withLock { $0 } }

    /// The state of alert `key` in the latest sample (`inactive` or `resolved` when absent).
    func state(of key: String) -> String { sequences[key]?.last ?? "inactive" }

    /// When alert `key` was first sampled in `state`.
    func firstTime(_ key: String, in state: String) -> Date? {
        var seen = false
        for snapshot in snapshots.withLock({ $0 }) {
            let current = snapshot.states[key] ?? (seen ? "resolved" : "inactive")
            if snapshot.states[key] != nil { seen = true }
            if current == state { return snapshot.time }
        }
        return nil
    }

    /// The collapsed state sequence of every alert ever listed.
    var sequences: [String: [String]] {
        let all = snapshots.withLock { $0 }
        let keys = Set(all.flatMap(\.states.keys))
        var out: [String: [String]] = [:]
        for key in keys {
            var sequence: [String] = []
            var seen = false
            for snapshot in all {
                let state = snapshot.states[key] ?? (seen ? "resolved" : "inactive")
                if snapshot.states[key] != nil { seen = true }
                if sequence.last != state { sequence.append(state) }
            }
            out[key] = sequence
        }
        return out
    }
}

/// Polls `condition` every 100 ms until it holds, for at most `timeout`; throws `failure()` otherwise.
func waitUntil(
    _ what: String, timeout: Duration, _ condition: () async throws -> Bool, failure: () async -> String = { "" }
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("timed out after \(timeout) waiting for \(what)\n\(await failure())")
}
