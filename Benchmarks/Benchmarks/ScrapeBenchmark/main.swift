import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PrometheusConfig
import Scrape
import Series
import Synchronization
import TSDB

#if canImport(FoundationNetworking)
// Data(contentsOf:) of an http URL needs it on Linux; without it every read fails.
import FoundationNetworking
#endif

// Scrape of a 100,000-series target: llmwatch's scrape_duration_seconds against Prometheus's,
// on one local exporter serving the same page, one scraper after the other (so neither competes
// with the other for the two cores). Also measures how long the cooperative pool is held.
//
// Run from Benchmarks/: swift run -c release ScrapeBenchmark [scrapes per side, default 12] [interval, default 5s]
// Exits 1 when llmwatch's median scrape_duration_seconds is above Prometheus's.

let arguments = CommandLine.arguments
let scrapes = arguments.count > 1 ? Int(arguments[1]) ?? 12 : 12
let interval = arguments.count > 2 ? arguments[2] : "5s"
let seriesCount = 100_000
let logger: Logger = {
    var logger = Logger(label: "scrape-benchmark")
    logger.logLevel = .warning
    return logger
}()
var quiet = Logger(label: "scrape-benchmark-server")
quiet.logLevel = .critical

/// 100 families of 1,000 series with four labels each (~10 MB), as a large LLM gateway exposes.
func page() -> [UInt8] {
    var text = ""
    text.reserveCapacity(12 << 20)
    for family in 0..<(seriesCount / 1000) {
        let name = "llm_gateway_metric_\(family)_total"
        text += "# HELP \(name) Benchmark family \(family).\n# TYPE \(name) counter\n"
        for index in 0..<1000 {
            text += "\(name){model=\"model-\(index % 50)\",provider=\"provider-\(index % 7)\",route=\"/v1/route/\(index)\",code=\"\(200 + index % 5)\"} \(index * 7 + family)\n"
        }
    }
    return Array(text.utf8)
}

let body = page()
let (ports, portContinuation) = AsyncStream<Int>.makeStream()
let responder = CallbackResponder<BasicRequestContext> { _, _ in
    Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}
let exporter = Application(
    responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in
        portContinuation.yield(channel.localAddress?.port ?? 0)
        portContinuation.finish()
    }, logger: quiet)
let serverTask = Task { try await exporter.runService() }
guard let exporterPort = await ports.first(where: { _ in true }) else { fatalError("exporter did not start") }
let target = "127.0.0.1:\(exporterPort)"
let yaml = """
    global:
      scrape_interval: \(interval)
      scrape_timeout: \(interval)
    scrape_configs:
      - job_name: big
        static_configs: [{targets: ['\(target)']}]
    """
let work = FileManager.default.temporaryDirectory.appendingPathComponent("llmwatch-scrape-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
print("page: \(seriesCount) series, \(body.count / 1024) KiB, scrape_interval \(interval), \(scrapes) scrapes per side")

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func row(_ name: String, _ values: [Double]) -> String {
    let ms = values.map { $0 * 1000 }
    return name.padding(toLength: 34, withPad: " ", startingAt: 0)
        + String(format: "median %8.1f ms   min %8.1f ms   max %8.1f ms   (n=%d)", median(ms), ms.min() ?? .nan, ms.max() ?? .nan, ms.count)
}

// MARK: Prometheus

func prometheusDurations() async throws -> [Double] {
    let configPath = work.appendingPathComponent("prometheus.yml").path
    try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    let port = 19090 + Int.random(in: 0..<500)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
    process.arguments = [
        "--config.file=\(configPath)", "--storage.tsdb.path=\(work.appendingPathComponent("prom").path)",
        "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
        process.terminate()
        process.waitUntilExit()
    }
    let query = "http://127.0.0.1:\(port)/api/v1/query?query=scrape_duration_seconds%5B1h%5D"
    let deadline = ContinuousClock.now + .seconds(600)
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: .seconds(1))
        guard let data = try? Data(contentsOf: URL(string: query)!),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]],
            let values = result.first?["values"] as? [[Any]]
        else { continue }
        let durations = values.compactMap { ($0.last as? String).flatMap(Double.init) }
        if durations.count >= scrapes + 1 { return durations }
    }
    throw CocoaError(.fileReadUnknown)
}

// MARK: llmwatch

/// Records how long each commit to the store takes and the scrape_duration_seconds of each scrape.
final class TimingAppender: SampleAppender {
    let inner: DB
    let durations = Mutex<[Double]>([])
    let commits = Mutex<[Double]>([])

    init(inner: DB) { self.inner = inner }

    func append(_ samples: [LabeledSample]) throws -> AppendSummary {
        let start = ContinuousClock.now
        let summary = try inner.append(samples)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let duration = samples.last(where: { $0.labels.metricName == "scrape_duration_seconds" }) {
            durations.withLock { $0.append(duration.sample.value) }
            commits.withLock { $0.append(seconds) }
        }
        return summary
    }
}

/// What the sleepers of `poolLateness` share: a class, so child tasks capture a reference.
final class LatenessState: Sendable {
    let stop = Atomic<Bool>(false)
    let worst = Mutex<Double>(0)
}

/// The worst lateness of 5 ms sleeps on the cooperative pool while `body` runs, four at a time.
func poolLateness(during body: () async throws -> Void) async throws -> Double {
    let state = LatenessState()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<4 {
            group.addTask {
                while !state.stop.load(ordering: .relaxed) {
                    let start = ContinuousClock.now
                    try await Task.sleep(for: .milliseconds(5))
                    let late = ContinuousClock.now - start - .milliseconds(5)
                    let seconds = Double(late.components.seconds) + Double(late.components.attoseconds) / 1e18
                    state.worst.withLock { $0 = max($0, seconds) }
                }
            }
        }
        try await body()
        state.stop.store(true, ordering: .relaxed)
        try await group.waitForAll()
    }
    return state.worst.withLock { $0 }
}

func llmwatchRun(threads: Int, name: String) async throws -> (durations: [Double], commits: [Double], lateness: Double) {
    let db = try DB(path: work.appendingPathComponent(name).path)
    let appender = TimingAppender(inner: db)
    var options = ScrapeManager.Options()
    options.scrapeThreads = threads
    let manager = ScrapeManager(appender: appender, options: options, logger: logger)
    await manager.apply(try PrometheusConfigLoader(environment: [:]).parse(yaml, file: "bench.yml").scrapeConfigs)
    let running = Task { try await manager.run() }
    let lateness = try await poolLateness {
        while appender.durations.withLock({ $0.count }) < scrapes + 1 {
            try await Task.sleep(for: .milliseconds(100))
        }
    }
    running.cancel()
    _ = try? await running.value
    try db.close()
    return (appender.durations.withLock { $0 }, appender.commits.withLock { $0 }, lateness)
}

let prometheus = try await prometheusDurations()
let ours = try await llmwatchRun(threads: 2, name: "llmwatch")
let inline = try await llmwatchRun(threads: 0, name: "llmwatch-inline")

print("")
print("scrape_duration_seconds of a \(seriesCount)-series target (first scrape, which creates the series, shown apart)")
print(row("Prometheus 2.42 (steady)", Array(prometheus.dropFirst())))
print(row("llmwatch (steady)", Array(ours.durations.dropFirst())))
print(row("Prometheus 2.42 (first scrape)", Array(prometheus.prefix(1))))
print(row("llmwatch (first scrape)", Array(ours.durations.prefix(1))))
print(row("llmwatch store commit (not in it)", Array(ours.commits.dropFirst())))
print("")
print("cooperative pool: worst lateness of 5 ms sleeps while scraping")
print(row("CPU part on scrape threads", [ours.lateness]))
print(row("CPU part on the cooperative pool", [inline.lateness]))
print(row("  (its scrape_duration_seconds)", Array(inline.durations.dropFirst())))
let goalMet = median(Array(ours.durations.dropFirst())) <= median(Array(prometheus.dropFirst()))
print("")
print("goal (llmwatch at or below Prometheus): \(goalMet ? "met" : "MISSED")")
serverTask.cancel()
exit(goalMet ? 0 : 1)
