import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Hummingbird
import NIOCore
import Synchronization

// Alerts that fire while Alertmanager is down: a real `prometheus-alertmanager` is stopped for
// `--outage` seconds (5 minutes by default) while Prometheus 2.42 and `llmwatch evaluate`, on the
// same target at the same time, see alerts fire and resolve; then it is started again. Both push
// through a recording proxy (one path prefix per side) that forwards to Alertmanager and records
// what Alertmanager accepted (2xx). Every alert fires once (its own label value), so a second
// `startsAt` for one alert is a duplicate "new" alert.
//
// Usage (from Benchmarks/): swift run -c release AlertmanagerOutageBenchmark [--llmwatch PATH]
//   [--outage SECONDS, default 300] [--step SECONDS, default 15] [--settle SECONDS, default 150]
// Exits 1 when llmwatch misses an alert or delivers one twice as new.

enum Side: String, CaseIterable, Sendable {
    case prometheus, llmwatch
}

/// One alert of one POST that Alertmanager accepted.
struct Delivery: Sendable {
    let time: Date
    let alert: String
    let startsAt: String
    let endsAt: Date?
}

extension Delivery {
    /// RFC 3339 (Go's RFC3339Nano or ISO 8601) to a date, to the second (enough to compare endsAt
    /// with a flip seconds away).
    static func parseSeconds(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard text.count >= 19 else { return nil }
        let seconds = String(text.prefix(19))
        let zone = text.hasSuffix("Z") ? "Z" : String(text.suffix(6))
        return formatter.date(from: seconds + zone)
    }
}

final class Recorder: Sendable {
    /// Target values: alert label -> 0 or 1.
    let values = Mutex<[String: Double]>([:])
    let deliveries = Mutex<[Side: [Delivery]]>([:])
    let refused = Mutex<[Side: Int]>([:])
}

let outage = Double(option("--outage") ?? "") ?? 300
let step = Double(option("--step") ?? "") ?? 15
let settle = Double(option("--settle") ?? "") ?? 150
let llmwatchBinary = llmwatchBinaryOption()
let alertmanagerBinary = "/usr/bin/prometheus-alertmanager"
let alertName = "BenchOutage"
let work = try makeWorkDirectory(prefix: "llmwatch-am-outage")

// MARK: Episodes: alert `e<j>` goes high at `high[j]` and, but for the last two, low at `low[j]`.

struct Episode {
    let name: String
    let high: Double  // seconds after the outage began
    let low: Double?
}
var episodes: [Episode] = []
var offset = 5.0
while offset + 1.5 * step + 5 < outage {
    episodes.append(Episode(name: "e\(episodes.count)", high: offset, low: offset + 1.5 * step))
    offset += step
}
for _ in 0..<2 where offset < outage - 5 {
    episodes.append(Episode(name: "e\(episodes.count)", high: offset, low: nil))
    offset += step / 2
}

// MARK: Target, proxy, processes

let recorder = Recorder()
let client = HTTPClient(eventLoopGroupProvider: .singleton)
let alertmanagerPort = try freePort()
let server = try await LocalHTTPServer.start { request in
    let parts = request.uri.path.split(separator: "/", maxSplits: 1).map(String.init)
    guard parts.count == 2, let side = Side(rawValue: parts[0]) else { return Response(status: .notFound) }
    switch (request.method, parts[1]) {
    case (.get, "metrics"):
        let values = recorder.values.withLock { $0 }.sorted { $0.key < $1.key }
        var page = "# TYPE bench_outage gauge\n"
        for (alert, value) in values { page += "bench_outage{alert=\"\(alert)\"} \(value)\n" }
        return .text(Array(page.utf8))
    case (.post, "api/v2/alerts"):
        let body = try await request.body.collect(upTo: 1 << 24)
        var forward = HTTPClientRequest(url: "http://127.0.0.1:\(alertmanagerPort)/api/v2/alerts")
        forward.method = .POST
        forward.headers.add(name: "Content-Type", value: "application/json")
        forward.body = .bytes(body)
        guard let response = try? await client.execute(forward, timeout: .seconds(5)),
            (200..<300).contains(response.status.code)
        else {
            recorder.refused.withLock { $0[side, default: 0] += 1 }
            return Response(status: .serviceUnavailable)
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        let now = Date()
        let alerts = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [[String: Any]] ?? []
        let received = alerts.compactMap { alert -> Delivery? in
            guard let labels = alert["labels"] as? [String: String], labels["alertname"] == alertName,
                let name = labels["alert"], let startsAt = alert["startsAt"] as? String
            else { return nil }
            return Delivery(
                time: now, alert: name, startsAt: startsAt,
                endsAt: (alert["endsAt"] as? String).flatMap(Delivery.parseSeconds))
        }
        recorder.deliveries.withLock { $0[side, default: []] += received }
        return Response(status: .ok)
    default:
        return Response(status: .notFound)
    }
}

let rules = work.appendingPathComponent("rules.yml")
try """
groups:
  - name: outage
    rules:
      - alert: \(alertName)
        expr: bench_outage > 0.5
        for: 2s

""".write(to: rules, atomically: true, encoding: .utf8)
func config(_ side: Side) throws -> URL {
    try writeSideConfig(side: side.rawValue, job: "outage", rules: rules, port: server.port, in: work)
}
let alertmanagerConfig = work.appendingPathComponent("alertmanager.yml")
try "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n".write(
    to: alertmanagerConfig, atomically: true, encoding: .utf8)
func startAlertmanager() throws -> ServerProcess {
    try ServerProcess(
        name: "alertmanager", executable: alertmanagerBinary,
        arguments: [
            "--config.file=\(alertmanagerConfig.path)", "--storage.path=\(work.path)/alertmanager-data",
            "--web.listen-address=127.0.0.1:\(alertmanagerPort)", "--cluster.listen-address=", "--log.level=warn",
        ], port: alertmanagerPort, log: work.appendingPathComponent("alertmanager.log"))
}

var alertmanager = try startAlertmanager()
let prometheus = try ServerProcess.prometheus(config: try config(.prometheus), data: "\(work.path)/prometheus-data", logIn: work)
let llmwatch = try ServerProcess.llmwatchEvaluate(
    llmwatchBinary, storage: "\(work.path)/llmwatch-data", logIn: work,
    arguments: ["--config.file", try config(.llmwatch).path, "--log.level", "warn"])
@MainActor func stopAll() {
    prometheus.stop()
    llmwatch.stop()
    alertmanager.stop()
}
defer { stopAll() }
try await alertmanager.waitUntilReady(client: client, path: "/-/ready")
try await prometheus.waitUntilReady(client: client, path: "/-/ready")
try await llmwatch.waitUntilReady(client: client, path: "/-/ready")
recorder.values.withLock { values in for episode in episodes { values[episode.name] = 0 } }
try await Task.sleep(for: .seconds(10))

say(
    "Alertmanager stopped for \(Int(outage)) s; \(episodes.count) alerts fire in that time (\(episodes.filter { $0.low != nil }.count) also resolve);"
        + " then started again and watched for \(Int(settle)) s")
alertmanager.stop()
let outageBegan = Date()
var pending = episodes.flatMap { episode in
    [(episode.high, episode.name, 1.0)] + (episode.low.map { [($0, episode.name, 0.0)] } ?? [])
}.sorted { $0.0 < $1.0 }
var flips: [String: (high: Date, low: Date?)] = [:]
while Date().timeIntervalSince(outageBegan) < outage {
    while let next = pending.first, next.0 <= Date().timeIntervalSince(outageBegan) {
        pending.removeFirst()
        recorder.values.withLock { $0[next.1] = next.2 }
        if next.2 > 0 { flips[next.1] = (Date(), nil) } else { flips[next.1]?.low = Date() }
    }
    try await Task.sleep(for: .milliseconds(100))
}
let restarted = Date()
alertmanager = try startAlertmanager()
try await alertmanager.waitUntilReady(client: client, path: "/-/ready")
say(
    "Alertmanager started again \(fixed(restarted.timeIntervalSince(outageBegan), 1)) s after it was stopped,"
        + " ready \(fixed(Date().timeIntervalSince(restarted), 1)) s later")

/// What one side delivered of the episodes, judged against the flips.
struct Verdict {
    var delivered = 0  // episodes with any notification accepted by Alertmanager
    var deliveredFiring = 0  // ... with a firing notification
    var deliveredResolved = 0  // resolved episodes whose resolved notification came
    var duplicates = 0  // episodes that came with more than one startsAt
    var complete: Date?  // when the last of those first arrived
    var missing: [String] = []
}

@MainActor func verdict(_ side: Side) -> Verdict {
    let deliveries = recorder.deliveries.withLock { $0[side, default: []] }
    var result = Verdict()
    var last = restarted
    var incomplete = false
    for episode in episodes {
        guard let flip = flips[episode.name] else { continue }
        let mine = deliveries.filter { $0.alert == episode.name }
        // A resolved alert's endsAt is when it resolved, a few seconds after the low flip;
        // a firing one's is its validity, minutes after the evaluation that sent it.
        let isResolved = { (delivery: Delivery) -> Bool in
            guard let low = flip.low, let endsAt = delivery.endsAt else { return false }
            return endsAt < low.addingTimeInterval(60)
        }
        let firing = mine.filter { !isResolved($0) }
        let resolved = mine.filter(isResolved)
        if !mine.isEmpty { result.delivered += 1 } else { result.missing.append(episode.name) }
        if !firing.isEmpty { result.deliveredFiring += 1 }
        if !resolved.isEmpty { result.deliveredResolved += 1 }
        if Set(mine.map(\.startsAt)).count > 1 { result.duplicates += 1 }
        let needed = [mine.first?.time, flip.low == nil ? nil : resolved.first?.time].compactMap { $0 }
        if let latest = needed.max(), latest > last { last = latest }
        if mine.isEmpty || (flip.low != nil && resolved.isEmpty) { incomplete = true }
    }
    result.complete = incomplete ? nil : last
    return result
}

// Waits for both sides to deliver everything, or for `settle` seconds.
while Date().timeIntervalSince(restarted) < settle {
    if Side.allCases.allSatisfy({ verdict($0).complete != nil }) { break }
    try await Task.sleep(for: .seconds(1))
}
@MainActor func dropped(_ process: ServerProcess, _ family: String) async -> String {
    guard let page = try? await fetchText(client, process.baseURL + "/metrics") else { return "-" }
    let total = page.split(separator: "\n").filter { $0.hasPrefix(family) }.compactMap { line in
        line.split(separator: " ").last.flatMap { Double($0) }
    }.reduce(0, +)
    return String(Int(total))
}
let droppedCounts = [
    Side.prometheus: await dropped(prometheus, "prometheus_notifications_dropped_total"),
    .llmwatch: await dropped(llmwatch, "llmwatch_notifications_dropped_total"),
]
let resolvedEpisodes = episodes.filter { $0.low != nil }.count
say("")
say(
    "side | alerts fired in the outage | arrived (any) | arrived as firing | resolved arrived | twice as new | all in, s after start | refused while down | dropped (own metric)"
)
say("---|---:|---:|---:|---:|---:|---:|---:|---:")
var verdicts: [Side: Verdict] = [:]
for side in Side.allCases {
    let result = verdict(side)
    verdicts[side] = result
    let refused = recorder.refused.withLock { $0[side, default: 0] }
    say(
        "\(side.rawValue) | \(episodes.count) | \(result.delivered) | \(result.deliveredFiring) | \(result.deliveredResolved)/\(resolvedEpisodes)"
            + " | \(result.duplicates) | \(result.complete.map { fixed($0.timeIntervalSince(restarted), 1) } ?? "not within \(Int(settle))")"
            + " | \(refused) | \(droppedCounts[side] ?? "-")")
    for name in result.missing { say("  \(side.rawValue) never delivered \(name)") }
}
let ours = verdicts[.llmwatch] ?? Verdict()
let met = ours.delivered == episodes.count && ours.duplicates == 0 && ours.deliveredResolved == resolvedEpisodes
say("goal (every alert that fired in the outage arrives, none twice as new): \(met ? "met" : "missed")")
stopAll()
try await client.shutdown()
try? FileManager.default.removeItem(at: work)
exit(met ? 0 : 1)
