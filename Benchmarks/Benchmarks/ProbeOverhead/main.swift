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

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// 1. CPU per probed request, no injected delays.
let fast = try config(prefix: "")
let fastProber = Prober(config: fast, metrics: ProbeMetrics(registry: MetricRegistry(), config: fast), client: probeClient, logger: logger)
let model = fast.models[0]
for _ in 0..<20 { _ = await fastProber.attempt(model, operation: "bench", prompt: model.prompts[0], timeout: .seconds(10)) }
let requests = 300
let cpuBefore = cpuSeconds()
let wallBefore = ContinuousClock.now
for _ in 0..<requests { _ = await fastProber.attempt(model, operation: "bench", prompt: model.prompts[0], timeout: .seconds(10)) }
let cpuPerRequest = (cpuSeconds() - cpuBefore) / Double(requests)
let wallPerRequest = (ContinuousClock.now - wallBefore) / requests

// 1b. The same requests through AsyncHTTPClient alone (what the probe used before its own
// client), the body read and dropped: a point of scale for a general-purpose client.
let rawCPUBefore = cpuSeconds()
for _ in 0..<requests {
    var request = HTTPClientRequest(url: "\(base)/v1/chat/completions")
    request.method = .POST
    let response = try await client.execute(request, timeout: .seconds(10))
    for try await _ in response.body {}
}
let rawCPUPerRequest = (cpuSeconds() - rawCPUBefore) / Double(requests)

// 1c. The same requests through SwiftNIO's HTTP/1.1 codec alone, on one keep-alive connection,
// the body's bytes counted: the floor of any client built on NIO.
let bareNIO = try await BareNIOClient(host: "127.0.0.1", port: port, group: MultiThreadedEventLoopGroup.singleton)
for _ in 0..<20 { _ = try await bareNIO.post("/v1/chat/completions") }
let nioCPUBefore = cpuSeconds()
for _ in 0..<requests { _ = try await bareNIO.post("/v1/chat/completions") }
let nioCPUPerRequest = (cpuSeconds() - nioCPUBefore) / Double(requests)
try await bareNIO.close()

// 2. Timing error with 150 ms before the first event and 20 ms between events. The probe's time
// to first token ends at the first event with content; llama.cpp's stream opens with a role-only
// event, so that token comes one gap after the first byte.
let eventsBeforeContent = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
    .filter { $0.hasPrefix("data: {") }.firstIndex { $0.contains(#""content":""#) && !$0.contains(#""content":"""#) } ?? 0
let expectedTTFT = 0.150 + 0.020 * Double(eventsBeforeContent)
let slow = try config(prefix: "/delay/150/20")
let slowProber = Prober(config: slow, metrics: ProbeMetrics(registry: MetricRegistry(), config: slow), client: probeClient, logger: logger)
var ttftErrors: [Double] = []
var tpotErrors: [Double] = []
for _ in 0..<15 {
    let attempt = await slowProber.attempt(slow.models[0], operation: "bench", prompt: model.prompts[0], timeout: .seconds(10))
    guard case .success(let outcome) = attempt.result, let ttft = outcome.timeToFirstToken else { fatalError("probe failed: \(attempt.result)") }
    ttftErrors.append((ttft.seconds - expectedTTFT) * 1000)
    // The stream's content events are spaced 20 ms apart; the final two (finish, usage) too.
    let gaps = outcome.totalDuration - ttft
    let events = Double(outcome.contentChunks + 1)
    tpotErrors.append((gaps.seconds / events - 0.020) * 1000)
}

// 3. AsyncHTTPClient alone: time to the first body byte, which the server holds back 150 ms,
// the same measure as URLSession's below.
var clientErrors: [Double] = []
for _ in 0..<15 {
    var request = HTTPClientRequest(url: "\(base)/delay/150/20/v1/chat/completions")
    request.method = .POST
    let start = ContinuousClock.now
    let response = try await client.execute(request, timeout: .seconds(10))
    var first: Duration?
    for try await _ in response.body where first == nil { first = ContinuousClock.now - start }
    clientErrors.append((first!.seconds - 0.150) * 1000)
}

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
var urlSessionErrors: [Double] = []
for _ in 0..<15 {
    let delegate = FirstByte()
    let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
    delegate.start = ContinuousClock.now
    session.dataTask(with: URL(string: "\(base)/delay/150/20/v1/chat/completions")!).resume()
    delegate.done.wait()
    urlSessionErrors.append((delegate.first!.seconds - 0.150) * 1000)
    session.invalidateAndCancel()
}

try await client.shutdown()
await probeClient.shutdown()
print("probe overhead (\(requests) requests, llama.cpp stream replayed locally, no delays)")
print(String(format: "  CPU per request:           %.3f ms   (wall %.3f ms)", cpuPerRequest * 1000, wallPerRequest.seconds * 1000))
print(String(format: "  for scale: AsyncHTTPClient's async body sequence alone, same request, body dropped: %.3f ms", rawCPUPerRequest * 1000))
print(String(format: "  for scale: bare NIOHTTP1 client (one keep-alive connection, body bytes counted):  %.3f ms", nioCPUPerRequest * 1000))
print("timing error against injected delays (median of 15; includes the Python server's own scheduling)")
print(String(format: "  probe TTFT (first content token, expected %.0f ms): %+.2f ms  (range %+.2f .. %+.2f)", expectedTTFT * 1000, median(ttftErrors), ttftErrors.min()!, ttftErrors.max()!))
print(String(format: "  AsyncHTTPClient first byte: %+.2f ms  (range %+.2f .. %+.2f)", median(clientErrors), clientErrors.min()!, clientErrors.max()!))
print(String(format: "  probe per token: %+.2f ms", median(tpotErrors)))
print(String(format: "  URLSession first byte:     %+.2f ms  (range %+.2f .. %+.2f)", median(urlSessionErrors), urlSessionErrors.min()!, urlSessionErrors.max()!))
