import Foundation
import TestSupport
import Testing

@testable import TSDB

/// The bytes-per-sample measurement on a debug-sized workload (the Benchmarks package runs 10M).
///
/// The bounds guard against regressions in the codecs: `maximum` is what llmwatch's chunks
/// measured on each kind with some margin, `prometheusMaximum` what Prometheus's XOR chunk
/// (`XORChunk`, byte-identical to Prometheus's, see `PrometheusChunkTests`) gives on the same
/// samples. They record measurements; the workload was not tuned to meet them.
struct CompressionTests {
    static let bounds: [(kind: String, maximum: Double, prometheusMaximum: Double)] = [
        ("bench_constant", 0.6, 0.9),
        ("bench_slow_counter", 0.75, 1.2),
        ("bench_paged_gauge", 1.15, 1.4),
        ("bench_fast_counter", 1.85, 3.0),
        ("bench_decimal_gauge", 1.45, 7.0),
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
        for (kind, maximum, prometheusMaximum) in Self.bounds {
            let measured = try #require(result.chunkBytesPerSample(kind))
            let prometheus = try #require(result.prometheusXORBytesPerSampleByKind[kind])
            #expect(measured < maximum, "\(kind)")
            #expect(prometheus < prometheusMaximum, "\(kind)")
            #expect(measured < prometheus, "\(kind)")
        }
        // The checkpoint adds labels (about 60 bytes a series, 0.03 a sample here), chunk time
        // ranges and lengths (about 8 bytes a chunk, 0.07 a sample) and framing to the chunks.
        #expect(result.diskBytesPerSample < result.chunkBytesPerSample + 0.15)
        #expect(result.chunkBytesPerSample < 1.2)
        #expect(result.prometheusXORBytesPerSample > 2)
    }
}

extension CompressionBenchmark.Result {
    func chunkBytesPerSample(_ kind: String) -> Double? {
        chunkBytesPerSampleByKind[kind]
    }
}
