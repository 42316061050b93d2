import Series
import Testing

@testable import TSDB

/// Round-trips of the Gorilla XOR chunk: every sample comes back with the same timestamp and the
/// same value bits.
struct XORChunkTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let samples: [Sample]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", samples: []),
        Case(name: "one sample", samples: [Sample(timestamp: 1_700_000_000_000, value: 42)]),
        Case(name: "two samples", samples: [Sample(timestamp: -5, value: 1), Sample(timestamp: 10, value: -1)]),
        Case(name: "regular 15s counter, 120 samples", samples: counter()),
        Case(name: "jittered timestamps", samples: jittered()),
        Case(name: "special values", samples: spaced(specialValues)),
        Case(name: "delta-of-delta buckets and big gaps", samples: constant(at: bucketEdges)),
        Case(
            name: "negative and extreme timestamps", samples: constant(at: [Int64.min / 4, -1_000, 0, Int64.max / 4])),
        Case(name: "values with wide XOR windows", samples: scrambled()),
    ]

    static func counter() -> [Sample] {
        (0..<120).map { i in
            let timestamp: Int64 = 1_700_000_000_000 + Int64(i) * 15_000
            return Sample(timestamp: timestamp, value: Double(i * 7))
        }
    }

    static func jittered() -> [Sample] {
        (0..<120).map { i in
            let jitter = Int64((i * 37) % 11) - 5
            return Sample(timestamp: Int64(i) * 15_000 + jitter, value: Double(i) * 0.1)
        }
    }

    static func scrambled() -> [Sample] {
        (0..<200).map { i in
            let bits = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            return Sample(timestamp: Int64(i), value: Double(bitPattern: bits))
        }
    }

    static let specialValues: [Double] = [
        .nan, Sample.staleNaN, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
        Double(bitPattern: 0x7ff8_0000_0000_0001), 1, Sample.staleNaN, .nan,
    ]

    /// Timestamps whose delta-of-deltas hit each bucket's edges, then gaps of years.
    static let bucketEdges: [Int64] = [
        0, 1, 3, 8_194, 8_195, 139_268, 139_269, 1_187_846, 1_187_847, 1_000_000_000_000, 1_000_000_000_001,
        3_000_000_000_000_000,
    ]

    static func spaced(_ values: [Double]) -> [Sample] {
        values.indices.map { Sample(timestamp: Int64($0) * 1000, value: values[$0]) }
    }

    static func constant(at timestamps: [Int64]) -> [Sample] {
        timestamps.map { Sample(timestamp: $0, value: 1) }
    }

    @Test(arguments: cases)
    func roundTrip(_ testCase: Case) throws {
        var chunk = XORChunk()
        for sample in testCase.samples {
            let appended = chunk.append(timestamp: sample.timestamp, value: sample.value)
            #expect(appended)
        }
        #expect(chunk.count == testCase.samples.count)
        var iterator = chunk.makeIterator()
        var decoded: [Sample] = []
        while let sample = iterator.next() { decoded.append(sample) }
        #expect(!iterator.isMalformed)
        #expect(decoded.map(\.timestamp) == testCase.samples.map(\.timestamp))
        #expect(decoded.map(\.value.bitPattern) == testCase.samples.map(\.value.bitPattern))

        // Reopening the bytes and appending more must continue the same stream.
        var reopened = try XORChunk(bytes: chunk.bytes)
        let extra = Sample(timestamp: (testCase.samples.last?.timestamp ?? 0) + 15_000, value: 3.5)
        reopened.append(timestamp: extra.timestamp, value: extra.value)
        chunk.append(timestamp: extra.timestamp, value: extra.value)
        #expect(reopened.bytes == chunk.bytes)
    }

    @Test func staleMarkerBitsSurvive() {
        var chunk = XORChunk()
        chunk.append(timestamp: 0, value: 1)
        chunk.append(timestamp: 15_000, value: Sample.staleNaN)
        var iterator = chunk.makeIterator()
        _ = iterator.next()
        let stale = iterator.next()
        #expect(stale?.isStaleMarker == true)
        #expect(stale?.value.bitPattern == Sample.staleNaNBits)
    }

    @Test func constantSeriesCompressesToAboutTwoBitsPerSample() {
        var chunk = XORChunk()
        for i in 0..<120 { chunk.append(timestamp: Int64(i) * 15_000, value: 1) }
        // Header, first sample (~16 bytes) and then one bit each for timestamp and value.
        #expect(chunk.bytes.count < 50)
    }

    @Test(arguments: [0, 1, 2, 5, 17, 100])
    func truncatedBytesNeverTrap(_ cut: Int) {
        var chunk = XORChunk()
        for i in 0..<120 { chunk.append(timestamp: Int64(i) * 15_000 + Int64(i % 3), value: Double(i) * 1.5) }
        let bytes = Array(chunk.bytes.prefix(cut))
        var iterator = XORIterator(bytes: bytes)
        var count = 0
        while iterator.next() != nil { count += 1 }
        #expect(count < 120)
        #expect(iterator.isMalformed)
        #expect(throws: ChunkError.malformed) { try XORChunk(bytes: bytes) }
    }

    @Test(arguments: [(14, Int64(8_192), true), (14, -8_191, true), (14, -8_192, false), (14, 8_193, false)])
    func bucketBounds(_ bits: Int, _ value: Int64, _ fits: Bool) {
        #expect(DeltaOfDeltaBuckets.fits(value, bits: bits) == fits)
    }
}
