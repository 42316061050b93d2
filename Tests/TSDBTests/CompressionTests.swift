import Foundation
import TestSupport
import Testing

@testable import TSDB

/// The bytes-per-sample measurement on a debug-sized workload (the Benchmarks package runs 10M).
///
/// The bounds guard against regressions in the codec; they are what Gorilla/Prometheus XOR
/// encoding gives each kind of series (the chunks are byte-identical to Prometheus's, see
/// `PrometheusChunkTests`), not targets the data was tuned to meet.
struct CompressionTests {
    static let bounds: [(kind: String, maximum: Double)] = [
        ("bench_constant", 0.9),
        ("bench_slow_counter", 1.2),
        ("bench_paged_gauge", 1.4),
        ("bench_fast_counter", 3.0),
        ("bench_decimal_gauge", 7.0),
    ]

    @Test func bytesPerSampleByKind() async throws {
        // Seconds of appends in a debug build: off the cooperative pool.
        let result = try await offPool {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            return try CompressionBenchmark.run(path: dir.path + "/db", series: 120, samplesPerSeries: 2400)
        }
        print("CompressionBenchmark:", result)
        #expect(result.samples == 120 * 2400)
        for (kind, maximum) in Self.bounds {
            let measured = try #require(result.chunkBytesPerSample(kind))
            #expect(measured < maximum, "\(kind)")
        }
        // The checkpoint adds labels, chunk time ranges and framing on top of the chunks.
        #expect(result.diskBytesPerSample < result.chunkBytesPerSample * 1.1)
        #expect(result.chunkBytesPerSample < 2.5)
    }
}

extension CompressionBenchmark.Result {
    func chunkBytesPerSample(_ kind: String) -> Double? {
        chunkBytesPerSampleByKind[kind]
    }
}
