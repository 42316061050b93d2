import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import NIOCore

// Prometheus's BenchmarkRangeQuery workload, backfilled into a real Prometheus (promtool) and into
// llmwatch (llmwatch tsdb import openmetrics), each case queried through both HTTP APIs in the
// same run; prints the median wall time per case side by side, timed over one blocking
// keep-alive connection per server (BlockingHTTPConnection).
//
// Usage (from Benchmarks/): swift run -c release QueryBenchmark --llmwatch PATH [--workdir DIR]
//   [--iterations N] [--filter TEXT]
// The workdir keeps the generated file and both stores between runs (about 3 GB).

guard let llmwatch = option("--llmwatch") else {
    say("usage: QueryBenchmark --llmwatch PATH [--workdir DIR] [--iterations N] [--filter TEXT]")
    exit(2)
}
let workdir = URL(fileURLWithPath: option("--workdir") ?? NSTemporaryDirectory() + "llmwatch-query-benchmark")
let iterations = Int(option("--iterations") ?? "") ?? 5
let filter = option("--filter")
let promtool = "/usr/bin/promtool"
try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)

let file = workdir.appendingPathComponent("workload.om")
let prometheusData = workdir.appendingPathComponent("prometheus")
let llmwatchData = workdir.appendingPathComponent("llmwatch")
let fm = FileManager.default
if !fm.fileExists(atPath: file.path + ".done") {
    say("writing the workload to \(file.path) ...")
    let began = ContinuousClock.now
    try Workload.write(to: file.path)
    fm.createFile(atPath: file.path + ".done", contents: nil)
    let size = (try? fm.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
    say("  \(size >> 20) MiB in \(ContinuousClock.now - began)")
}
if !fm.fileExists(atPath: prometheusData.path + ".done") {
    try? fm.removeItem(at: prometheusData)
    say("promtool tsdb create-blocks-from openmetrics ...")
    let (status, took) = try runToCompletion(
        promtool,
        ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=200h", file.path, prometheusData.path],
        log: workdir.appendingPathComponent("promtool.log"))
    guard status == 0 else { throw BenchmarkError("promtool failed; see \(workdir.path)/promtool.log") }
    fm.createFile(atPath: prometheusData.path + ".done", contents: nil)
    say("  took \(took)")
}
if !fm.fileExists(atPath: llmwatchData.path + ".done") {
    try? fm.removeItem(at: llmwatchData)
    say("llmwatch tsdb import openmetrics ...")
    let (status, took) = try runToCompletion(
        llmwatch, ["tsdb", "import", "openmetrics", file.path, "--storage.path", llmwatchData.path],
        log: workdir.appendingPathComponent("import.log"))
    guard status == 0 else { throw BenchmarkError("llmwatch import failed; see \(workdir.path)/import.log") }
    fm.createFile(atPath: llmwatchData.path + ".done", contents: nil)
    say("  took \(took)")
}

let client = HTTPClient(eventLoopGroupProvider: .singleton)
let config = workdir.appendingPathComponent("prometheus.yml")
try "global:\n  evaluation_interval: 1m\nscrape_configs: []\n".write(to: config, atomically: true, encoding: .utf8)
let prometheus = try ServerProcess.prometheus(
    config: config, data: prometheusData.path, logIn: workdir, arguments: ["--storage.tsdb.retention.time=100y"])
let evaluator = try ServerProcess.llmwatchEvaluate(
    llmwatch, storage: llmwatchData.path, logIn: workdir, arguments: ["--storage.retention.time", "0"])
defer {
    prometheus.stop()
    evaluator.stop()
}
let startBegan = ContinuousClock.now
try await prometheus.waitUntilReady(client: client, path: "/-/ready")
say("prometheus ready after \(ContinuousClock.now - startBegan)")
try await evaluator.waitUntilReady(client: client, path: "/-/ready")
say("llmwatch ready after \(ContinuousClock.now - startBegan)")

/// One keep-alive connection to each server, so that the client adds no hops of its own.
let connections = [prometheus.port: BlockingHTTPConnection(port: prometheus.port), evaluator.port: BlockingHTTPConnection(port: evaluator.port)]

/// Runs one range query and returns the wall time to the last byte of the answer, or the
/// error the server answered.
@MainActor func time(_ server: ServerProcess, _ query: Workload.Case) throws -> Result<(Duration, Int), BenchmarkError> {
    let end = Int64(Workload.intervals) * Workload.interval
    let start = end - Int64(query.steps) * Workload.interval
    let target =
        "/api/v1/query_range?"
        + formEncode([("query", query.expression), ("start", String(start)), ("end", String(end)), ("step", "10")])
    let began = ContinuousClock.now
    let (status, body) = try connections[server.port]!.get(target)
    let took = ContinuousClock.now - began
    let text = String(decoding: body, as: UTF8.self)
    guard status == 200, text.hasPrefix(#"{"status":"success""#) else {
        return .failure(BenchmarkError("\(server.name): \(text.prefix(200))"))
    }
    return .success((took, body.count))
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

say("")
say("case | prometheus ms | llmwatch ms | llmwatch/prometheus | answer bytes (prometheus, llmwatch)")
say("---|---:|---:|---:|---")
var slower: [String] = []
var failures: [String] = []
var ratios: [Double] = []
for query in Workload.cases where filter.map({ query.label.contains($0) }) ?? true {
    // One warm-up each, then the servers alternate so that load on the machine hits both alike.
    // A server that fails a case, warm-up or timed (Prometheus 2.42 times out on some), has the
    // case reported, not timed.
    var failure: String?
    var theirs: [Double] = []
    var ours: [Double] = []
    var sizes = (0, 0)
    for round in 0...iterations where failure == nil {
        switch (try time(prometheus, query), try time(evaluator, query)) {
        case (.success(let (a, aBytes)), .success(let (b, bBytes))):
            guard round > 0 else { continue }
            theirs.append(milliseconds(a))
            ours.append(milliseconds(b))
            sizes = (aBytes, bBytes)
        case (.failure(let error), _), (_, .failure(let error)):
            failure = error.description
        }
    }
    if let failure {
        say("\(query.label) | - | - | - | failed: \(failure)")
        failures.append("\(query.label): \(failure)")
        continue
    }
    let p = median(theirs)
    let l = median(ours)
    ratios.append(l / p)
    if l > p { slower.append(query.label) }
    say(
        "\(query.label) | \(String(format: "%.2f", p)) | \(String(format: "%.2f", l)) | \(String(format: "%.2f", l / p)) | \(sizes.0), \(sizes.1)"
    )
}
let geometricMean = exp(ratios.map { log($0) }.reduce(0, +) / Double(max(ratios.count, 1)))
say("")
say(
    "\(ratios.count) cases; llmwatch/prometheus geometric mean \(String(format: "%.2f", geometricMean)); llmwatch slower on \(slower.count)"
)
say("resident memory: prometheus \(prometheus.residentBytes >> 20) MiB, llmwatch \(evaluator.residentBytes >> 20) MiB")
for label in slower { print("  slower: \(label)") }
for line in failures { print("  failed: \(line)") }
try await client.shutdown()
