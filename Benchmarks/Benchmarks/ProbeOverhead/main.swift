import AsyncHTTPClient
import Exposition
import Foundation
import Logging
import NIOPosix
import Probe

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// Probe overhead: CPU time the probe spends per probed request (excluding waiting), beside the
// same requests read by AsyncHTTPClient alone and by a bare NIOHTTP1 client; and the
// client-side timing error against injected delays, for the probe (its own client on NIOHTTP1),
// AsyncHTTPClient and URLSession's delegate API, against one replay server.
// Run from Benchmarks/: swift run -c release ProbeOverhead

let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("python/llama-server-stream.sse")
let port = 18000 + Int.random(in: 0..<1000)
let server = Process()
server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
server.arguments = ["python3", fixture.deletingLastPathComponent().appendingPathComponent("replay_server.py").path, "\(port)", fixture.path]
let serverOutput = Pipe()
server.standardOutput = serverOutput
try server.run()
_ = serverOutput.fileHandleForReading.availableData
defer { server.terminate() }

let base = "http://127.0.0.1:\(port)"
let client = HTTPClient(eventLoopGroupProvider: .singleton)
let probeClient = ProbeHTTPClient()
let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

func config(prefix: String) throws -> ProbeConfig {
    try ProbeConfigLoader(environment: [:]).parse("""
        models:
          - {name: bench, provider: openai_compatible, model: tiny, endpoint: "\(base)\(prefix)/v1", timeout: 10s}
        """, file: "bench.yml")
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Nanoseconds each of the process's threads has run, by thread name and id, from
/// `/proc/self/task/*/schedstat` (the scheduler's own count, exact to the nanosecond).
func threadNanoseconds() -> [String: UInt64] {
    var result: [String: UInt64] = [:]
    for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8),
            let ran = stat.split(separator: " ").first.flatMap({ UInt64($0) })
        else { continue }
        let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        result["\(name)/\(task)"] = ran
    }
    return result
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// When the replay server wrote each event of one delayed request, in milliseconds after the
/// request line arrived (its clock, not ours: the delays it actually made).
struct ServerTimeline: Decodable {
    let path: String
    let writes: [Double]
    enum CodingKeys: String, CodingKey {
        case path
        case writes = "writes_ms"
    }
}

/// The timelines of the `count` delayed requests served since the last call whose path carries
/// `label` after the delays (`/delay/150/20/<label>/...`), in the order served.
func serverTimelines(_ label: String, count: Int) async throws -> [[Double]] {
    let response = try await client.execute(HTTPClientRequest(url: "\(base)/timelines"), timeout: .seconds(20))
    let body = try await response.body.collect(upTo: 1 << 24)
    let timelines = try body.readableBytesView.split(separator: UInt8(ascii: "\n"))
        .map { try JSONDecoder().decode(ServerTimeline.self, from: Data($0)) }
        .filter { $0.path.split(separator: "/").dropFirst(3).first.map(String.init) == label }.map(\.writes)
    guard timelines.count == count else { fatalError("the server noted \(timelines.count) \(label) requests, not \(count)") }
    return timelines
}

/// CPU time (user + system) the process spends per call of `body`, over `calls` calls.
func cpuPerCall(_ calls: Int, _ body: () async throws -> Void) async rethrows -> Double {
    let before = cpuSeconds()
    for _ in 0..<calls { try await body() }
    return (cpuSeconds() - before) / Double(calls)
}

/// One call of `body`, off the main actor (nonisolated, with a `@Sendable` body): the CPU time
/// (user + system) the process spent on it, each thread's run time meanwhile, and what it returned.
@Sendable nonisolated func measuredCall<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> (cpu: Double, threads: [String: UInt64], value: T) {
    let threadsBefore = threadNanoseconds()
    let before = cpuSeconds()
    let value = try await body()
    let cpu = cpuSeconds() - before
    let threads = threadNanoseconds().reduce(into: [String: UInt64]()) { ran, thread in
        ran[thread.key] = thread.value - (threadsBefore[thread.key] ?? 0)
    }
    return (cpu, threads, value)
}

// 1. CPU per probed request, no injected delays, in rounds that alternate the probe with two
// references reading the same responses, so that a change in the machine's speed during the
// run moves all three alike:
// - AsyncHTTPClient's async body sequence alone (what the probe used before its own client),
//   the body read and dropped: a point of scale for a general-purpose client;
// - SwiftNIO's HTTP/1.1 codec alone on one keep-alive connection, the body's bytes counted:
//   the floor of any client built on NIO.
let fast = try config(prefix: "")
let fastProber = Prober(config: fast, metrics: ProbeMetrics(registry: MetricRegistry(), config: fast), client: probeClient, logger: logger)
let model = fast.models[0]
let bareNIO = try await BareNIOClient(host: "127.0.0.1", port: port, group: MultiThreadedEventLoopGroup.singleton)
func probeOnce() async { _ = await fastProber.attempt(model, operation: "bench", prompt: model.prompts[0], timeout: .seconds(10)) }
func asyncHTTPClientOnce() async throws {
    var request = HTTPClientRequest(url: "\(base)/v1/chat/completions")
    request.method = .POST
    let response = try await client.execute(request, timeout: .seconds(10))
    for try await _ in response.body {}
}
func bareNIOOnce() async throws { _ = try await bareNIO.post("/v1/chat/completions") }
for _ in 0..<20 {
    await probeOnce()
    try await asyncHTTPClientOnce()
    try await bareNIOOnce()
}
let rounds = 9
let requestsPerRound = 300
var probeCPU: [Double] = []
var asyncHTTPClientCPU: [Double] = []
var bareNIOCPU: [Double] = []
var probeWall: [Double] = []
for _ in 0..<rounds {
    let wallBefore = ContinuousClock.now
    probeCPU.append(await cpuPerCall(requestsPerRound, probeOnce))
    probeWall.append((ContinuousClock.now - wallBefore).seconds / Double(requestsPerRound))
    bareNIOCPU.append(try await cpuPerCall(requestsPerRound, bareNIOOnce))
    asyncHTTPClientCPU.append(try await cpuPerCall(requestsPerRound, asyncHTTPClientOnce))
}

// 2. A paced stream: 150 ms before the first event and 20 ms between events, as a model
// streams its tokens. Each event arrives on its own, to a thread that was asleep, which is what
// probing a real model costs. In rounds alternating the probe with the bare NIOHTTP1 client:
// CPU per request, and the probe's timing error. Its time to first token ends at the first
// event with content; llama.cpp's stream opens with a role-only event, so that token comes one
// gap after the first byte.
let eventsBeforeContent = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
    .filter { $0.hasPrefix("data: {") }.firstIndex { $0.contains(#""content":""#) && !$0.contains(#""content":"""#) } ?? 0
let expectedTTFT = 0.150 + 0.020 * Double(eventsBeforeContent)
/// The replay server's path prefix for that pacing; each client adds its own label after it, for
/// the server's timelines.
let paced = "/delay/150/20"
let slow = try config(prefix: "\(paced)/probe")
let slowProber = Prober(config: slow, metrics: ProbeMetrics(registry: MetricRegistry(), config: slow), client: probeClient, logger: logger)
var pacedOutcomes: [ProbeOutcome] = []
/// One paced probe, off the main actor like the bare client's call below, so that neither side
/// hops to the main thread and back (each hop wakes a thread, which costs what it measures).
@Sendable nonisolated func pacedProbeOnce() async -> ProbeAttempt {
    await slowProber.attempt(slow.models[0], operation: "bench", prompt: model.prompts[0], timeout: .seconds(10))
}
@Sendable nonisolated func pacedBareNIOOnce() async throws { _ = try await bareNIO.post("\(paced)/bare/v1/chat/completions") }
/// Pairs of paced requests, one of each client, measured one request at a time. What a request
/// costs wanders by a factor of two over seconds on this machine, more than the difference
/// sought, so each probed request is compared with the bare client's request next to it, the
/// order swapped every pair, rather than a round of several requests with the next round.
let pacedPairs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 45
var pacedProbeCPU: [Double] = []
var pacedBareNIOCPU: [Double] = []
var threadsDuringProbe: [String: UInt64] = [:]
var threadsDuringBare: [String: UInt64] = [:]
@MainActor func pacedBareRequest() async throws {
    let bare = try await measuredCall(pacedBareNIOOnce)
    pacedBareNIOCPU.append(bare.cpu)
    threadsDuringBare.merge(bare.threads, uniquingKeysWith: +)
}
for pair in 0..<pacedPairs {
    if pair % 2 == 1 { try await pacedBareRequest() }
    let probe = await measuredCall(pacedProbeOnce)
    pacedProbeCPU.append(probe.cpu)
    threadsDuringProbe.merge(probe.threads, uniquingKeysWith: +)
    if pair % 2 == 0 { try await pacedBareRequest() }
    guard case .success(let outcome) = probe.value.result, outcome.timeToFirstToken != nil else {
        fatalError("probe failed: \(probe.value.result)")
    }
    pacedOutcomes.append(outcome)
}
try await bareNIO.close()
// The probe's timing errors, against the injected delays and against the delays the server
// actually made (from the request line's arrival to its writes). The first includes the Python
// server's own lateness: its header parsing and its oversleeping. The time to first token ends at
// the first content event's read, the whole duration at `[DONE]`'s, the stream's last event;
// per token is the time between the two over the gaps between them.
let probeTimelines = try await serverTimelines("probe", count: pacedOutcomes.count)
var ttftErrors: [Double] = []
var ttftServerErrors: [Double] = []
var tpotErrors: [Double] = []
var tpotServerErrors: [Double] = []
for (outcome, writes) in zip(pacedOutcomes, probeTimelines) {
    let ttft = outcome.timeToFirstToken!.seconds * 1000
    let gaps = Double(writes.count - 1 - eventsBeforeContent)
    let perGap = (outcome.totalDuration.seconds * 1000 - ttft) / gaps
    ttftErrors.append(ttft - expectedTTFT * 1000)
    ttftServerErrors.append(ttft - writes[eventsBeforeContent])
    tpotErrors.append(perGap - 20)
    tpotServerErrors.append(perGap - (writes[writes.count - 1] - writes[eventsBeforeContent]) / gaps)
}

// 3. AsyncHTTPClient alone: time to the first body byte, which the server holds back 150 ms,
// the same measure as URLSession's below.
/// Milliseconds from sending each request to its first body byte.
var clientFirstBytes: [Double] = []
for _ in 0..<15 {
    var request = HTTPClientRequest(url: "\(base)\(paced)/ahc/v1/chat/completions")
    request.method = .POST
    let start = ContinuousClock.now
    let response = try await client.execute(request, timeout: .seconds(10))
    var first: Duration?
    for try await _ in response.body where first == nil { first = ContinuousClock.now - start }
    clientFirstBytes.append(first!.seconds * 1000)
}
let clientErrors = clientFirstBytes.map { $0 - 150 }
let clientServerErrors = zip(clientFirstBytes, try await serverTimelines("ahc", count: clientFirstBytes.count)).map { $0 - $1[0] }

// 4. URLSession (FoundationNetworking, libcurl) against the same server and delay: time to the
// first body byte, which the server holds back 150 ms.
final class FirstByte: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    var start = ContinuousClock.now
    var first: Duration?
    let done = DispatchSemaphore(value: 0)
    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if first == nil { first = ContinuousClock.now - start }
    }
    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) { done.signal() }
}
var urlSessionFirstBytes: [Double] = []
for _ in 0..<15 {
    let delegate = FirstByte()
    let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
    delegate.start = ContinuousClock.now
    session.dataTask(with: URL(string: "\(base)\(paced)/urlsession/v1/chat/completions")!).resume()
    delegate.done.wait()
    urlSessionFirstBytes.append(delegate.first!.seconds * 1000)
    session.invalidateAndCancel()
}
let urlSessionErrors = urlSessionFirstBytes.map { $0 - 150 }
let urlSessionServerErrors = zip(urlSessionFirstBytes, try await serverTimelines("urlsession", count: urlSessionFirstBytes.count))
    .map { $0 - $1[0] }

try await client.shutdown()
await probeClient.shutdown()
func milliseconds(_ values: [Double]) -> String {
    String(format: "%.3f ms (%.3f .. %.3f)", median(values) * 1000, values.min()! * 1000, values.max()! * 1000)
}
func report(probe: [Double], bare: [Double]) {
    print("    probe:                         \(milliseconds(probe))")
    print("    bare NIOHTTP1 client:          \(milliseconds(bare))")
    print(String(format: "    probe - bare, median of rounds: %.3f ms", median(zip(probe, bare).map { $0 - $1 }) * 1000))
}
print("probe overhead: CPU per request (user + system), median of rounds (range); llama.cpp stream of 68 events replayed locally")
print("  back to back, no delays (\(rounds) rounds of \(requestsPerRound) requests per client; probe wall \(String(format: "%.2f", median(probeWall) * 1000)) ms):")
report(probe: probeCPU, bare: bareNIOCPU)
print("    AsyncHTTPClient's body sequence alone, body dropped: \(milliseconds(asyncHTTPClientCPU))")
print("  paced, 150 ms then 20 ms between events (\(pacedPairs) pairs of requests, one per client, order swapped every pair):")
print("    probe:                         \(milliseconds(pacedProbeCPU))")
print("    bare NIOHTTP1 client:          \(milliseconds(pacedBareNIOCPU))")
let pacedDifferences = zip(pacedProbeCPU, pacedBareNIOCPU).map { ($0 - $1) * 1000 }
let pacedMean = pacedDifferences.reduce(0, +) / Double(pacedDifferences.count)
let pacedSpread = (pacedDifferences.map { ($0 - pacedMean) * ($0 - pacedMean) }.reduce(0, +) / Double(pacedDifferences.count - 1)).squareRoot()
print(String(format: "    probe - bare, per pair: median %.3f ms, mean %.3f ms ± %.3f (95 %% interval of the mean)",
    median(pacedDifferences), pacedMean, 1.96 * pacedSpread / Double(pacedDifferences.count).squareRoot()))
for thread in Set(threadsDuringProbe.keys).union(threadsDuringBare.keys).sorted() {
    print(String(format: "      thread %@: probe %.3f ms, bare %.3f ms per request", thread,
        Double(threadsDuringProbe[thread] ?? 0) / 1e6 / Double(pacedPairs), Double(threadsDuringBare[thread] ?? 0) / 1e6 / Double(pacedPairs)))
}
func errors(_ values: [Double]) -> String {
    String(format: "%+.2f ms (%+.2f .. %+.2f)", median(values), values.min()!, values.max()!)
}
print("timing error, median (range) over the probe's \(ttftErrors.count) paced requests and 15 of each other client's:")
print("  against the injected delays (which the Python server overran by parsing headers and oversleeping):")
print(String(format: "    probe TTFT (first content token, expected %.0f ms): ", expectedTTFT * 1000) + errors(ttftErrors))
print("    probe per token (20 ms):                            " + errors(tpotErrors))
print("    AsyncHTTPClient first byte (150 ms):                " + errors(clientErrors))
print("    URLSession first byte (150 ms):                     " + errors(urlSessionErrors))
print("  against the server's own timeline (from the request line's arrival to its write):")
print("    probe TTFT:                                         " + errors(ttftServerErrors))
print("    probe per token:                                    " + errors(tpotServerErrors))
print("    AsyncHTTPClient first byte:                         " + errors(clientServerErrors))
print("    URLSession first byte:                              " + errors(urlSessionServerErrors))
