import Foundation
import Series
import TSDB

// Bytes per stored sample after 10 million samples (1,000 series × 10,000 scrapes of the mix in
// TSDB's CompressionBenchmark), the goal being under 2 (Prometheus: about 1.3), side by
// side with Prometheus 2.42 on exactly the same samples: the workload is written as OpenMetrics,
// backfilled with `promtool tsdb create-blocks-from openmetrics`, and the block's `chunks/` files
// (and whole directory) are divided by its sample count. Without promtool the peer is skipped.
// Usage (from Benchmarks/): swift run -c release StorageBenchmark [series] [samples per series]
// Exits 1 when llmwatch's chunk bytes per sample miss the goal. STORAGE_BENCHMARK_KEEP=1 keeps the
// work directory (the OpenMetrics file, both stores) for inspection, e.g. with `promtool tsdb dump`.

let arguments = CommandLine.arguments.dropFirst()
let series = Int(arguments.first ?? "") ?? 1000
let samplesPerSeries = Int(arguments.dropFirst().first ?? "") ?? 10_000
let promtool = "/usr/bin/promtool"
let directory = NSTemporaryDirectory() + "llmwatch-storage-benchmark-\(getpid())"
let keep = ProcessInfo.processInfo.environment["STORAGE_BENCHMARK_KEEP"] == "1"
/// Removes the work directory (unless kept) and exits; `exit` would skip a top-level `defer`.
func finish(_ status: Int32) -> Never {
    if keep { print("kept \(directory)") } else { try? FileManager.default.removeItem(atPath: directory) }
    exit(status)
}
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

let began = ContinuousClock.now
let result: CompressionBenchmark.Result
do {
    result = try CompressionBenchmark.run(path: directory + "/db", series: series, samplesPerSeries: samplesPerSeries)
} catch {
    print("error: \(error)")
    finish(2)
}
let took = ContinuousClock.now - began
print(result)
print("appended and checkpointed in \(took)")

/// Prometheus's figures for the same samples.
struct PeerSizes {
    var samples: Int
    var chunkFileBytes: Int
    var blockBytes: Int
    var blocks: Int
}

/// `1700000000.003`: OpenMetrics seconds with the milliseconds exact (timestamps are positive).
func seconds(_ milliseconds: Int64) -> String {
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.utf8.count) + fraction
}

/// Writes every workload series as OpenMetrics, one metric family after another as the format
/// requires; values in Swift's shortest round-tripping form, which Go parses to the same bits.
func writeOpenMetrics(to path: String) throws {
    FileManager.default.createFile(atPath: path, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: path) else {
        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    let names = (0..<series).map { CompressionBenchmark.series($0, samplesPerSeries: 0).labels }
    var buffer = ""
    buffer.reserveCapacity(1 << 22)
    for family in Set(names.map(\.metricName)).sorted() {
        buffer += "# TYPE \(family) unknown\n"
        for index in names.indices where names[index].metricName == family {
            let (labels, samples) = CompressionBenchmark.series(index, samplesPerSeries: samplesPerSeries)
            let pairs = labels.filter { $0.name != Labels.metricName }.map { "\($0.name)=\"\($0.value)\"" }
            let prefix = family + "{" + pairs.joined(separator: ",") + "} "
            for sample in samples {
                buffer += prefix + "\(sample.value) " + seconds(sample.timestamp) + "\n"
            }
            if buffer.utf8.count > 1 << 22 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }
    buffer += "# EOF\n"
    handle.write(Data(buffer.utf8))
}

func bytes(under path: String) throws -> Int {
    var total = 0
    let enumerator = FileManager.default.enumerator(atPath: path)
    while let name = enumerator?.nextObject() as? String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + name)
        if attributes[.type] as? FileAttributeType == .typeRegular { total += attributes[.size] as? Int ?? 0 }
    }
    return total
}

/// Backfills the workload into Prometheus blocks and measures them.
func measurePrometheus() throws -> PeerSizes {
    let file = directory + "/workload.om"
    let blocks = directory + "/prometheus"
    try writeOpenMetrics(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: promtool)
    // 1000h becomes promtool's 486h block range, so the workload's 42 hours fit one block.
    process.arguments = ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=1000h", file, blocks]
    process.standardOutput = FileHandle.nullDevice
    let log = directory + "/promtool.log"
    FileManager.default.createFile(atPath: log, contents: nil)
    process.standardError = FileHandle(forWritingAtPath: log)
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "promtool failed: \(text)"])
    }
    if !keep { try FileManager.default.removeItem(atPath: file) }
    var peer = PeerSizes(samples: 0, chunkFileBytes: 0, blockBytes: 0, blocks: 0)
    for block in try FileManager.default.contentsOfDirectory(atPath: blocks) {
        let path = blocks + "/" + block
        guard FileManager.default.fileExists(atPath: path + "/meta.json") else { continue }
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/meta.json")))
        let stats = (meta as? [String: Any])?["stats"] as? [String: Any]
        peer.samples += stats?["numSamples"] as? Int ?? 0
        peer.chunkFileBytes += try bytes(under: path + "/chunks")
        peer.blockBytes += try bytes(under: path)
        peer.blocks += 1
    }
    return peer
}

let format = { (value: Double) in String(format: "%.3f", value) }
print(
    "llmwatch: \(format(result.chunkBytesPerSample)) chunk bytes/sample (goal < 2), "
        + "\(format(result.diskBytesPerSample)) disk bytes/sample after checkpoint")
print(
    "Prometheus's XOR codec on the same samples (120-sample chunks, no framing): "
        + "\(format(result.prometheusXORBytesPerSample)) chunk bytes/sample")
if FileManager.default.isExecutableFile(atPath: promtool) {
    let peerBegan = ContinuousClock.now
    let peer: PeerSizes
    do {
        peer = try measurePrometheus()
    } catch {
        print("error: \(error)")
        finish(2)
    }
    let perSample = { (bytes: Int) in format(Double(bytes) / Double(max(peer.samples, 1))) }
    print(
        "Prometheus 2.42 (promtool create-blocks-from openmetrics, \(peer.blocks) block(s), \(peer.samples) samples, "
            + "\(ContinuousClock.now - peerBegan)): \(perSample(peer.chunkFileBytes)) chunk file bytes/sample, "
            + "\(perSample(peer.blockBytes)) block bytes/sample")
    if peer.samples != result.samples {
        print("warning: Prometheus holds \(peer.samples) samples, llmwatch \(result.samples)")
    }
} else {
    print("Prometheus: skipped, \(promtool) not found")
}
if !result.decodersAgree { print("error: llmwatch's chunks and Prometheus's XOR chunks decode to different samples") }
finish(result.chunkBytesPerSample < 2 && result.decodersAgree ? 0 : 1)
