import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Hummingbird
import NIOCore
import Synchronization

// Time from a metric change on a scraped target to the alert arriving at Alertmanager, with 1 s
// scrape and evaluation intervals and `for: 2s`: Prometheus 2.42 and `llmwatch evaluate` scrape
// the same local target at the same time and push to one recording receiver (POST
// /api/v2/alerts, one path prefix per side). Each round flips the target's value high, waits for
// both firing notifications, flips it low and waits for both resolved notifications.
//
// Usage (from Benchmarks/): swift run -c release AlertLatencyBenchmark [--llmwatch PATH]
//   [--rounds N, default 20] [--workdir DIR]
// Exits 1 when llmwatch's median firing latency is above Prometheus's.

enum Side: String, CaseIterable, Sendable {
    case prometheus, llmwatch
}

/// A POST to the receiver: when it came and what it said about the benchmark's alert.
struct Arrival: Sendable {
    let time: Date
    let firing: Bool
    let startsAt: Date?
    let endsAt: Date?
}

/// What the target served and the receiver got, per side, with wall-clock times.
final class Recorder: Sendable {
    let value = Mutex<Double>(0)
    let scrapes = Mutex<[Side: [(time: Date, value: Double)]]>([:])
    let arrivals = Mutex<[Side: [Arrival]]>([:])

    func firstScrape(_ side: Side, after time: Date, value: Double) -> Date? {
        scrapes.withLock { $0[side, default: []].first { $0.time > time && $0.value == value }?.time }
    }

    func firstArrival(_ side: Side, after time: Date, firing: Bool) -> Arrival? {
        arrivals.withLock { $0[side, default: []].first { $0.time > time && $0.firing == firing } }
    }
}

/// RFC 3339 with any number of fractional digits and `Z` or `±hh:mm` (Go's `time.RFC3339Nano`
/// and Swift's ISO 8601 output alike).
func parseRFC3339(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    func number(_ from: Int, _ count: Int) -> Int? {
        guard from + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[from..<(from + count)] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
        let minute = number(14, 2), let second = number(17, 2)
    else { return nil }
    var index = 19
    var fraction = 0.0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        var scale = 0.1
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            fraction += Double(bytes[index] - 48) * scale
            scale /= 10
            index += 1
        }
    }
    var offset = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
        guard let hours = number(index + 1, 2), let minutes = number(index + 4, 2) else { return nil }
        offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
    }
    var components = DateComponents()
    (components.year, components.month, components.day) = (year, month, day)
    (components.hour, components.minute, components.second) = (hour, minute, second)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    guard let date = calendar.date(from: components) else { return nil }
    return date.addingTimeInterval(fraction - Double(offset))
}

let rounds = Int(option("--rounds") ?? "") ?? 20
let llmwatchBinary = llmwatchBinaryOption()
let alertName = "BenchValueHigh"
let holdSeconds = 2.0
let work = try makeWorkDirectory(prefix: "llmwatch-alert-latency")

// One server is the target (`/<side>/metrics`) and the receiver (`/<side>/api/v2/alerts`).
let recorder = Recorder()
let server = try await LocalHTTPServer.start { request in
    let parts = request.uri.path.split(separator: "/", maxSplits: 1).map(String.init)
    guard parts.count == 2, let side = Side(rawValue: parts[0]) else { return Response(status: .notFound) }
    let now = Date()
    switch (request.method, parts[1]) {
    case (.get, "metrics"):
        let value = recorder.value.withLock { $0 }
        recorder.scrapes.withLock { $0[side, default: []].append((now, value)) }
        return .text(Array("# TYPE bench_value gauge\nbench_value \(value)\n".utf8))
    case (.post, "api/v2/alerts"):
        let body = try await request.body.collect(upTo: 1 << 24)
        let alerts = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [[String: Any]] ?? []
        for alert in alerts where (alert["labels"] as? [String: String])?["alertname"] == alertName {
            let startsAt = (alert["startsAt"] as? String).flatMap(parseRFC3339)
            let endsAt = (alert["endsAt"] as? String).flatMap(parseRFC3339)
            // A firing alert's endsAt is its validity (minutes ahead); a resolved one's is when it resolved.
            let firing = endsAt.map { $0 > now.addingTimeInterval(30) } ?? true
            recorder.arrivals.withLock {
                $0[side, default: []].append(Arrival(time: now, firing: firing, startsAt: startsAt, endsAt: endsAt))
            }
        }
        return Response(status: .ok)
    default:
        return Response(status: .notFound)
    }
}

let rules = work.appendingPathComponent("rules.yml")
try """
groups:
  - name: latency
    rules:
      - alert: \(alertName)
        expr: bench_value > 0.5
        for: \(Int(holdSeconds))s
        labels: {severity: page}
        annotations: {summary: "bench_value is {{ $value }}"}

""".write(to: rules, atomically: true, encoding: .utf8)

func config(_ side: Side) throws -> URL {
    try writeSideConfig(side: side.rawValue, job: "flip", rules: rules, port: server.port, in: work)
}

let client = HTTPClient(eventLoopGroupProvider: .singleton)
let prometheus = try ServerProcess.prometheus(config: try config(.prometheus), data: "\(work.path)/prometheus-data", logIn: work)
let llmwatch = try ServerProcess.llmwatchEvaluate(
    llmwatchBinary, storage: "\(work.path)/llmwatch-data", logIn: work,
    arguments: ["--config.file", try config(.llmwatch).path, "--log.level", "warn"])
let servers: [Side: ServerProcess] = [.prometheus: prometheus, .llmwatch: llmwatch]
func stopAll() {
    prometheus.stop()
    llmwatch.stop()
}
defer { stopAll() }
try await prometheus.waitUntilReady(client: client, path: "/-/ready")
try await llmwatch.waitUntilReady(client: client, path: "/-/ready")
say("prometheus 2.42 and llmwatch evaluate scrape 127.0.0.1:\(server.port) every 1 s, evaluate every 1 s, for: 2s")
say("work directory \(work.path); \(rounds) rounds after one warm-up round")

/// Waits until every side has something `found` returns, or 30 s pass.
func waitForAll<T>(_ found: (Side) -> T?) async throws -> [Side: T] {
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        let results = Side.allCases.compactMap { side in found(side).map { (side, $0) } }
        if results.count == Side.allCases.count { return Dictionary(uniqueKeysWithValues: results) }
        try await Task.sleep(for: .milliseconds(5))
    }
    return Dictionary(uniqueKeysWithValues: Side.allCases.compactMap { side in found(side).map { (side, $0) } })
}

/// One side's figures for one flip, in seconds: the whole latency and its parts.
struct Measurement {
    var latency: Double
    var scrape: Double  // flip -> first scrape that served the new value
    var evaluation: Double  // that scrape -> the evaluation that saw it (pending, or resolved)
    var hold: Double  // pending -> firing (`for`); 0 when resolving
    var send: Double  // the firing (resolving) evaluation's timestamp -> arrival at the receiver
}

var firing: [Side: [Measurement]] = [:]
var resolving: [Side: [Measurement]] = [:]
var notes: [String] = []
// The warm-up round lets both processes discover the receiver and fill their lookback.
try await Task.sleep(for: .seconds(3))
for round in 0...rounds {
    // A random wait puts the flip at a random phase of both scrape and evaluation ticks.
    try await Task.sleep(for: .milliseconds(1000 + Int.random(in: 0..<1000)))
    let high = Date()
    recorder.value.withLock { $0 = 1 }
    let fired = try await waitForAll { recorder.firstArrival($0, after: high, firing: true) }
    // ALERTS_FOR_STATE's value is the alert's activeAt in whole seconds: a check that the firing
    // evaluation came `for` after the pending one (Go truncates it, so it cannot time the parts).
    var activeAt: [Side: Date] = [:]
    for (side, process) in servers {
        let vector = try? await instantQuery(
            client, baseURL: process.baseURL, "ALERTS_FOR_STATE{alertname=\"\(alertName)\"}")
        if let value = vector?.first?.value { activeAt[side] = Date(timeIntervalSince1970: value) }
    }
    try await Task.sleep(for: .milliseconds(1000 + Int.random(in: 0..<1000)))
    let low = Date()
    recorder.value.withLock { $0 = 0 }
    let resolved = try await waitForAll { recorder.firstArrival($0, after: low, firing: false) }
    if round == 0 { continue }
    for side in Side.allCases {
        if let arrival = fired[side], let scrape = recorder.firstScrape(side, after: high, value: 1) {
            let firedAt = arrival.startsAt ?? arrival.time
            // On a 1 s evaluation grid the alert fires at the first evaluation `for` after activeAt.
            let pendingAt = firedAt.addingTimeInterval(-holdSeconds)
            if let stored = activeAt[side],
                abs(stored.timeIntervalSince1970 - pendingAt.timeIntervalSince1970.rounded(.down)) > 0.5
            {
                notes.append(
                    "round \(round): \(side.rawValue) fired \(fixed(firedAt.timeIntervalSince(stored))) s after activeAt"
                )
            }
            firing[side, default: []].append(
                Measurement(
                    latency: arrival.time.timeIntervalSince(high), scrape: scrape.timeIntervalSince(high),
                    evaluation: pendingAt.timeIntervalSince(scrape), hold: firedAt.timeIntervalSince(pendingAt),
                    send: arrival.time.timeIntervalSince(firedAt)))
        } else {
            notes.append("round \(round): no firing notification from \(side.rawValue) within 30 s")
        }
        if let arrival = resolved[side], let scrape = recorder.firstScrape(side, after: low, value: 0) {
            let resolvedAt = arrival.endsAt ?? arrival.time
            resolving[side, default: []].append(
                Measurement(
                    latency: arrival.time.timeIntervalSince(low), scrape: scrape.timeIntervalSince(low),
                    evaluation: resolvedAt.timeIntervalSince(scrape), hold: 0,
                    send: arrival.time.timeIntervalSince(resolvedAt)))
        } else {
            notes.append("round \(round): no resolved notification from \(side.rawValue) within 30 s")
        }
    }
    let line = Side.allCases.map { side in
        "\(side.rawValue) fire \(fixed(firing[side]?.last?.latency ?? .nan)) s resolve \(fixed(resolving[side]?.last?.latency ?? .nan)) s"
    }
    say("round \(round): " + line.joined(separator: ", "))
}

func table(_ title: String, _ measurements: [Side: [Measurement]]) {
    say("")
    say("\(title) | median s | min s | max s | scrape | evaluation | for | send (medians, s) | n")
    say("---|---:|---:|---:|---:|---:|---:|---:|---:")
    for side in Side.allCases {
        let values = measurements[side] ?? []
        let latencies = values.map(\.latency)
        say(
            "\(side.rawValue) | \(fixed(median(latencies))) | \(fixed(latencies.min() ?? .nan)) | \(fixed(latencies.max() ?? .nan))"
                + " | \(fixed(median(values.map(\.scrape)))) | \(fixed(median(values.map(\.evaluation))))"
                + " | \(fixed(median(values.map(\.hold)))) | \(fixed(median(values.map(\.send)))) | \(values.count)")
    }
}

table("firing (flip high -> firing alert at the receiver)", firing)
table("resolved (flip low -> resolved alert at the receiver)", resolving)
say("")
say("scrape: flip -> the first scrape that served the new value (the target's phase within the 1 s interval);")
say(
    "evaluation: that scrape -> the evaluation that saw it (startsAt - for, checked against ALERTS_FOR_STATE; or endsAt when resolving);"
)
say(
    "for: pending -> firing evaluation; send: the firing (resolving) evaluation's timestamp -> arrival at the receiver."
)
for line in notes { say("  " + line) }
let ours = median((firing[.llmwatch] ?? []).map(\.latency))
let theirs = median((firing[.prometheus] ?? []).map(\.latency))
let met = !ours.isNaN && !theirs.isNaN && ours <= theirs
say(
    "goal (llmwatch not slower than Prometheus to fire): \(met ? "met" : "missed") (\(fixed(ours)) s vs \(fixed(theirs)) s)"
)
stopAll()
try await client.shutdown()
try? FileManager.default.removeItem(at: work)
exit(met ? 0 : 1)
