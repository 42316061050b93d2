import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Hummingbird
import NIOCore

// 1,000 rules over 10,000 series: evaluation time per cycle and memory of `llmwatch evaluate`
// against Prometheus 2.42's `prometheus_rule_group_last_duration_seconds`, for the same rule file
// over the same scraped target. One local exporter serves 50 counter families of 200 series
// (labels model × code) whose values grow at fixed rates; each server scrapes it every 5 s and
// evaluates 10 groups of 100 rules (per family 14 recording rules and 6 alerts), one server
// after the other so neither competes with the other for the two cores.
//
// Usage (from Benchmarks/): swift run -c release RuleEvalBenchmark [--llmwatch PATH]
//   [--interval SECONDS, default 10] [--cycles N, default 6] [--warmup N, default 3] [--workdir DIR]

let families = 50
let models = 40
let codes = ["200", "201", "404", "500", "503"]
let groupCount = 10
let interval = Int(option("--interval") ?? "") ?? 10
let cycles = Int(option("--cycles") ?? "") ?? 6
let warmup = Int(option("--warmup") ?? "") ?? 3
let llmwatchBinary = llmwatchBinaryOption()
let work = try makeWorkDirectory(prefix: "llmwatch-rule-eval")

// MARK: The target

/// Per second growth of one series: most traffic is 200; every tenth model has a 5xx ratio of
/// about a quarter (its error-ratio alerts fire); a few models run hot (per-series alerts fire).
func rate(model: Int, code: String) -> Double {
    switch code {
    case "200": 10 + Double(model % 7)
    case "201": 2
    case "404": 1
    case "500": model % 10 == 0 ? 5 : 0.1
    default: 0.05 * Double(model % 3)
    }
}

struct Series {
    let prefix: [UInt8]
    let rate: Double
}
var series: [Series] = []
var headers: [Int: [UInt8]] = [:]
for family in 0..<families {
    let name = "bench_requests_\(family)_total"
    headers[series.count] = Array("# HELP \(name) Benchmark family \(family).\n# TYPE \(name) counter\n".utf8)
    for model in 0..<models {
        for code in codes {
            series.append(
                Series(
                    prefix: Array("\(name){model=\"model-\(model)\",code=\"\(code)\"} ".utf8),
                    rate: rate(model: model, code: code)))
        }
    }
}
let seriesTable = series
let headerTable = headers
let began = Date()
let target = try await LocalHTTPServer.start { _ in
    let elapsed = Date().timeIntervalSince(began)
    var page: [UInt8] = []
    page.reserveCapacity(seriesTable.count * 64)
    for (index, entry) in seriesTable.enumerated() {
        if let header = headerTable[index] { page += header }
        page += entry.prefix
        page += Array(String(Int((1000 + elapsed * entry.rate).rounded(.down))).utf8)
        page.append(UInt8(ascii: "\n"))
    }
    return .text(page)
}

// MARK: The rules

/// The 20 rules of one family: 14 recording rules and 6 alerts.
func rules(family f: Int) -> [String] {
    let m = "bench_requests_\(f)_total"
    func record(_ name: String, _ expr: String) -> String {
        "      - record: bench:\(f):\(name)\n        expr: '\(expr)'\n"
    }
    func alert(_ name: String, _ expr: String, for hold: String, summary: String) -> String {
        """
              - alert: Bench\(name)\(f)
                expr: '\(expr)'
                for: \(hold)
                labels: {severity: page, family: "\(f)"}
                annotations: {summary: "\(summary)"}

        """
    }
    let errors = "sum by (model) (rate(\(m){code=~\"5..\"}[5m])) / sum by (model) (rate(\(m)[5m]))"
    return [
        record("rate5m:sum_by_model", "sum by (model) (rate(\(m)[5m]))"),
        record("rate5m:sum_by_code", "sum by (code) (rate(\(m)[5m]))"),
        record("rate5m:sum", "sum(rate(\(m)[5m]))"),
        record("errors:ratio_by_model", errors),
        record("increase1h:sum_by_model", "sum by (model) (increase(\(m)[1h]))"),
        record("rate1m:max_by_code", "max by (code) (rate(\(m)[1m]))"),
        record("irate1m:avg_by_model", "avg by (model) (irate(\(m)[1m]))"),
        record("series:count_by_model", "count by (model) (\(m))"),
        record("rate5m:top5_models", "topk(5, sum by (model) (rate(\(m)[5m])))"),
        record("rate5m:p90_by_code", "quantile by (code) (0.9, rate(\(m)[5m]))"),
        record("rate5m:ok_by_model", "sum by (model) (rate(\(m){code=\"200\"}[5m]))"),
        record("rate5m:without_code", "sum without (code) (rate(\(m)[5m]))"),
        record("rate5m:stddev_by_code", "stddev by (code) (rate(\(m)[5m]))"),
        record("rate15m:sum_by_model", "sum by (model) (rate(\(m)[15m]))"),
        alert(
            "ErrorRatioHigh", "\(errors) > 0.1", for: "30s",
            summary: "{{ $labels.model }} fails {{ $value | humanizePercentage }}"),
        alert("TrafficZero", "sum(rate(\(m)[5m])) == 0", for: "5m", summary: "no traffic"),
        alert("Absent", "absent(\(m){code=\"200\"})", for: "1m", summary: "series gone"),
        alert(
            "SeriesRateHigh", "rate(\(m)[1m]) > 15", for: "0s",
            summary: "{{ $labels.model }} {{ $labels.code }} at {{ $value }}/s"),
        alert("CodeRateHuge", "sum by (code) (rate(\(m)[5m])) > 1e9", for: "1m", summary: "{{ $value }}"),
        alert("ModelRateLow", "max by (model) (rate(\(m)[1m])) < 1", for: "1m", summary: "{{ $value }}"),
    ]
}
var ruleFile = "groups:\n"
for group in 0..<groupCount {
    ruleFile += "  - name: bench-\(group)\n    rules:\n"
    for family in stride(from: group * families / groupCount, to: (group + 1) * families / groupCount, by: 1) {
        ruleFile += rules(family: family).joined()
    }
}
let ruleCount = families * 20
let rulesURL = work.appendingPathComponent("rules.yml")
try ruleFile.write(to: rulesURL, atomically: true, encoding: .utf8)
let configURL = work.appendingPathComponent("config.yml")
try """
global:
  scrape_interval: 5s
  scrape_timeout: 5s
  evaluation_interval: \(interval)s
rule_files: ['\(rulesURL.path)']
scrape_configs:
  - job_name: bench
    static_configs: [{targets: ['127.0.0.1:\(target.port)']}]

""".write(to: configURL, atomically: true, encoding: .utf8)
if try runToCompletion(
    "/usr/bin/promtool", ["check", "rules", rulesURL.path], log: work.appendingPathComponent("promtool.log")
).0 != 0 {
    throw BenchmarkError("promtool check rules failed; see \(work.path)/promtool.log")
}
say(
    "\(seriesTable.count) series (\(families) families × \(models) models × \(codes.count) codes), \(ruleCount) rules in \(groupCount) groups,"
        + " scrape 5 s, evaluation \(interval) s; \(warmup) warm-up cycles, then \(cycles) measured cycles per server")

// MARK: Measuring one server

struct Figures {
    var cycleSums: [Double] = []  // per cycle, the sum of the groups' last durations
    var cycleMaxima: [Double] = []  // per cycle, the slowest group
    var cpuPerCycle = Double.nan  // process CPU seconds per cycle in the measured window (scrapes included)
    var rss = 0
    var peakRSS = 0
    var recordedSeries = 0
    var firingAlerts = 0
}

let client = HTTPClient(eventLoopGroupProvider: .singleton)

func measure(_ server: ServerProcess, metricPrefix: String) async throws -> Figures {
    try await server.waitUntilReady(client: client, path: "/-/ready")
    // Each group's evaluations, keyed by their timestamp, from the server's own /metrics.
    var evaluations: [String: [Double: Double]] = [:]
    var cpuStart: (Double, Double)?
    let deadline = Date().addingTimeInterval(Double((warmup + cycles + 6) * interval) + 120)
    while Date() < deadline {
        try await Task.sleep(for: .milliseconds(500))
        guard let page = try? await fetchText(client, server.baseURL + "/metrics") else { continue }
        let durations = samples(of: metricPrefix + "_rule_group_last_duration_seconds", label: "rule_group", in: page)
        let times = samples(
            of: metricPrefix + "_rule_group_last_evaluation_timestamp_seconds", label: "rule_group", in: page)
        for (group, time) in times where time > 0 {
            if let duration = durations[group] { evaluations[group, default: [:]][time] = duration }
        }
        let fewest = evaluations.count == groupCount ? evaluations.values.map(\.count).min() ?? 0 : 0
        if fewest >= warmup, cpuStart == nil {
            cpuStart = (cpuSeconds(pid: server.process.processIdentifier), Date().timeIntervalSince1970)
        }
        if fewest >= warmup + cycles { break }
    }
    var figures = Figures()
    let perGroup = evaluations.values.map { $0.sorted { $0.key < $1.key }.map(\.value) }
    guard perGroup.count == groupCount, let fewest = perGroup.map(\.count).min(), fewest > warmup else {
        throw BenchmarkError("\(server.name): groups evaluated \(perGroup.map(\.count)) times; see \(server.log.path)")
    }
    for cycle in warmup..<min(fewest, warmup + cycles) {
        figures.cycleSums.append(perGroup.map { $0[cycle] }.reduce(0, +))
        figures.cycleMaxima.append(perGroup.map { $0[cycle] }.max() ?? .nan)
    }
    if let (cpu, time) = cpuStart {
        let elapsed = Date().timeIntervalSince1970 - time
        figures.cpuPerCycle = (cpuSeconds(pid: server.process.processIdentifier) - cpu) / (elapsed / Double(interval))
    }
    figures.rss = statusBytes(pid: server.process.processIdentifier, "VmRSS")
    figures.peakRSS = statusBytes(pid: server.process.processIdentifier, "VmHWM")
    figures.recordedSeries =
        (try? await instantQuery(client, baseURL: server.baseURL, #"count({__name__=~"bench:.+"})"#))?.first.map {
            Int($0.value)
        } ?? 0
    figures.firingAlerts =
        (try? await instantQuery(client, baseURL: server.baseURL, #"count(ALERTS{alertstate="firing"})"#))?.first.map {
            Int($0.value)
        } ?? 0
    return figures
}

/// Measures `server`, then stops it (also when measuring fails).
func measureThenStop(_ server: ServerProcess, metricPrefix: String) async throws -> Figures {
    defer { server.stop() }
    return try await measure(server, metricPrefix: metricPrefix)
}

say("== prometheus 2.42 ==")
let theirs = try await measureThenStop(
    try ServerProcess.prometheus(config: configURL, data: "\(work.path)/prometheus-data", logIn: work),
    metricPrefix: "prometheus")
say("== llmwatch evaluate ==")
let ours = try await measureThenStop(
    try ServerProcess.llmwatchEvaluate(
        llmwatchBinary, storage: "\(work.path)/llmwatch-data", logIn: work,
        arguments: ["--config.file", configURL.path, "--log.level", "warn"]),
    metricPrefix: "llmwatch")

func row(_ label: String, _ p: String, _ l: String) { say("\(label) | \(p) | \(l)") }
say("")
say("figure | prometheus 2.42 | llmwatch")
say("---|---:|---:")
row(
    "evaluation per cycle, sum of the \(groupCount) groups' last_duration (median ms)",
    fixed(median(theirs.cycleSums) * 1000, 1),
    fixed(median(ours.cycleSums) * 1000, 1))
row(
    "  min .. max ms",
    "\(fixed((theirs.cycleSums.min() ?? .nan) * 1000, 1)) .. \(fixed((theirs.cycleSums.max() ?? .nan) * 1000, 1))",
    "\(fixed((ours.cycleSums.min() ?? .nan) * 1000, 1)) .. \(fixed((ours.cycleSums.max() ?? .nan) * 1000, 1))")
row(
    "slowest group per cycle (median ms)", fixed(median(theirs.cycleMaxima) * 1000, 1),
    fixed(median(ours.cycleMaxima) * 1000, 1))
row("process CPU per cycle, scrapes included (s)", fixed(theirs.cpuPerCycle), fixed(ours.cpuPerCycle))
row("resident memory at the end (MiB)", "\(theirs.rss >> 20)", "\(ours.rss >> 20)")
row("peak resident memory (MiB)", "\(theirs.peakRSS >> 20)", "\(ours.peakRSS >> 20)")
row("recorded series (bench:*)", "\(theirs.recordedSeries)", "\(ours.recordedSeries)")
row("firing alerts", "\(theirs.firingAlerts)", "\(ours.firingAlerts)")
say("cycles measured: prometheus \(theirs.cycleSums.count), llmwatch \(ours.cycleSums.count)")
let faster = median(ours.cycleSums) <= median(theirs.cycleSums)
say("llmwatch evaluation per cycle at or below Prometheus's: \(faster ? "yes" : "no")")
target.stop()
try await client.shutdown()
try? FileManager.default.removeItem(at: work)
exit(faster ? 0 : 1)
