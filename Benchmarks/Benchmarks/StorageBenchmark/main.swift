import Foundation
import TSDB

// Bytes per stored sample after 10 million samples (1,000 series × 10,000 scrapes of the mix in
// TSDB's CompressionBenchmark), the goal being under 2 (Prometheus: about 1.3).
// Usage (from Benchmarks/): swift run -c release StorageBenchmark [series] [samples per series]

let arguments = CommandLine.arguments.dropFirst()
let series = Int(arguments.first ?? "") ?? 1000
let samplesPerSeries = Int(arguments.dropFirst().first ?? "") ?? 10_000
let directory = NSTemporaryDirectory() + "llmwatch-storage-benchmark-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: directory) }
let began = ContinuousClock.now
let result = try CompressionBenchmark.run(path: directory + "/db", series: series, samplesPerSeries: samplesPerSeries)
let took = ContinuousClock.now - began
print(result)
print(String(format: "chunk bytes per sample: %.3f (goal < 2, Prometheus ≈ 1.3)", result.chunkBytesPerSample))
print(String(format: "disk bytes per sample after checkpoint: %.3f", result.diskBytesPerSample))
print("appended and checkpointed in \(took)")
exit(result.chunkBytesPerSample < 2 ? 0 : 1)
