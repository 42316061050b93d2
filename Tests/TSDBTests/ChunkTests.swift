import Series
import Testing

@testable import TSDB

/// Round-trips of llmwatch's chunk encodings: every sample comes back with the same timestamp and
/// the same value bits, from the head chunk, from its sealed form and after reopening.
struct ChunkTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let samples: [Sample]
        /// The encoding the head chunk should end up in, when the case is about that.
        var encoding: ChunkEncoding?
        var testDescription: String { name }
    }

    static let t0: Int64 = 1_700_000_000_000

    /// Samples every 15 s from `t0` holding `values`.
    static func spaced(_ values: [Double]) -> [Sample] {
        values.indices.map { Sample(timestamp: t0 + Int64($0) * 15_000, value: values[$0]) }
    }

    /// A deterministic sequence of pseudo-random numbers.
    static func randoms(_ count: Int, seed: UInt64) -> [UInt64] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    /// A random walk with `digits` decimals, each value formed as an exact decimal.
    static func decimalWalk(digits: Int, count: Int = 120) -> [Double] {
        let scale = DecimalValues.powersOfTen[digits]
        var mantissa: Int64 = 2_000 * Int64(scale)
        return randoms(count, seed: UInt64(digits)).map {
            mantissa += Int64($0 % 2_001) - 1_000
            return Double(mantissa) / scale
        }
    }

    static let specials: [Double] = [
        .nan, Sample.staleNaN, .infinity, -.infinity, -0.0, 0, Double(bitPattern: 0x7ff8_0000_0000_0001),
        Double(bitPattern: 0xfff0_0000_0000_0002), .signalingNaN,
    ]

    static let cases: [Case] =
        [
            Case(name: "empty", samples: []),
            Case(name: "one integer", samples: spaced([42]), encoding: .decimal),
            Case(name: "one stale marker", samples: spaced([Sample.staleNaN]), encoding: .xor),
            Case(name: "one -0.0", samples: spaced([-0.0]), encoding: .xor),
            Case(name: "two samples", samples: [Sample(timestamp: -5, value: 1), Sample(timestamp: 10, value: -1)]),
            Case(name: "steady integer counter", samples: spaced((0..<120).map { Double($0 * 7) }), encoding: .decimal),
            Case(
                name: "noisy counter with a reset",
                samples: spaced(
                    randoms(120, seed: 9).enumerated().map {
                        Double($0.offset < 60 ? 1 << 40 : 0) + Double($0.element % 500)
                    }),
                encoding: .decimal),
            Case(name: "constant", samples: spaced(Array(repeating: 3, count: 120)), encoding: .decimal),
            Case(
                name: "bytes in 4 KiB pages",
                samples: spaced((0..<120).map { Double(104_857_600 + ($0 * 37 % 64 - 32) * 4096) })),
        ]
        + (1...9).map { digits in
            Case(
                name: "decimals with \(digits) digits", samples: spaced(decimalWalk(digits: digits)), encoding: .decimal
            )
        }
        + [
            Case(
                name: "scale grows mid-chunk",
                samples: spaced([1, 2, 2.5, 2.25, 3, 2.125, 4.0625, 100, 0.001, 7, 12.5]), encoding: .decimal),
            Case(
                name: "integers, then floats that are not decimals, then integers",
                samples: spaced([1, 2, 3, 0.1 + 0.2, .pi, 1.0 / 3, 4, 5, 6]), encoding: .decimal),
            Case(
                name: "first value not a decimal, then integers", samples: spaced([0.1 + 0.2, 1, 2, 3, 4]),
                encoding: .xor),
            Case(name: "pi is a decimal of 15 digits", samples: spaced([.pi, 1, 2, 3, .pi]), encoding: .decimal),
            Case(
                name: "special values among decimals", samples: spaced([1.5] + specials + [2.5, 2.5] + specials + [3])),
            Case(name: "special values only", samples: spaced(specials + specials)),
            Case(
                name: "stale marker ends a series", samples: spaced([10, 11, 12, Sample.staleNaN]), encoding: .decimal),
            Case(
                name: "huge magnitudes",
                samples: spaced([
                    1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9_007_199_254_740_992,
                    -9_007_199_254_740_992, 9_007_199_254_740_994, 18_014_398_509_481_984, 1e18, 1e18 + 2048, 5,
                ])),
            Case(
                name: "tiny magnitudes",
                samples: spaced([
                    1e-300, .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-18, 1.5e-17, 1e-19, -1e-18, 0.000_001,
                ])),
            Case(
                name: "mantissas at the limit",
                samples: spaced([9_007_199_254.740_992, -9_007_199_254.740_992, 0.001, 9_007_199_254.740_991, 1])),
            Case(
                name: "random bit patterns",
                samples: spaced(randoms(200, seed: 77).map { Double(bitPattern: $0) }), encoding: .xor),
            Case(
                name: "timestamps with small, large and negative delta-of-deltas",
                samples: [
                    0, 15_000, 30_001, 44_999, 60_000, 75_008, 89_992, 105_000, 120_009, 134_990, 150_000, 150_001,
                    150_513, 151_025, 151_536, 152_048, 200_000, 9_000_000, 9_000_001, 600_000_000, 600_000_001,
                    1_000_000_000_000, 1_000_000_000_001, 3_000_000_000_000_000,
                ].map { Sample(timestamp: $0, value: 1) }),
            Case(
                name: "negative and extreme timestamps",
                samples: [Int64.min / 4, -1_000, -999, 0, Int64.max / 4].map { Sample(timestamp: $0, value: 2.5) }),
            Case(
                name: "jittered scrapes of a two-decimal gauge",
                samples: zip(randoms(120, seed: 5), decimalWalk(digits: 2)).enumerated().map { i, pair in
                    let jitter = pair.0 % 10 == 0 ? Int64(pair.0 % 9) - 4 : 0
                    return Sample(timestamp: t0 + Int64(i) * 15_000 + jitter, value: pair.1)
                }, encoding: .decimal),
        ]

    static func decode(_ bytes: [UInt8]) -> (samples: [Sample], malformed: Bool) {
        var iterator = ChunkIterator(bytes: bytes)
        var samples: [Sample] = []
        while let sample = iterator.next() { samples.append(sample) }
        return (samples, iterator.isMalformed)
    }

    static func expectSame(_ decoded: [Sample], _ expected: [Sample], sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(decoded.map(\.timestamp) == expected.map(\.timestamp), sourceLocation: sourceLocation)
        #expect(decoded.map(\.value.bitPattern) == expected.map(\.value.bitPattern), sourceLocation: sourceLocation)
    }

    @Test(arguments: cases)
    func roundTrip(_ testCase: Case) throws {
        var chunk = Chunk()
        for sample in testCase.samples {
            let appended = chunk.append(timestamp: sample.timestamp, value: sample.value)
            #expect(appended)
            #expect(chunk.lastValue.bitPattern == sample.value.bitPattern)
        }
        #expect(chunk.count == testCase.samples.count)
        if let encoding = testCase.encoding { #expect(chunk.encoding == encoding) }
        if let last = testCase.samples.last { #expect(chunk.maxTime == last.timestamp) }
        if let first = testCase.samples.first { #expect(chunk.minTime == first.timestamp) }

        let head = Self.decode(chunk.bytes)
        #expect(!head.malformed)
        Self.expectSame(head.samples, testCase.samples)

        let sealed = chunk.sealed()
        #expect(sealed.count <= chunk.bytes.count)
        let fromSealed = Self.decode(sealed)
        #expect(!fromSealed.malformed)
        #expect(Chunk.sampleCount(of: sealed) == testCase.samples.count)
        Self.expectSame(fromSealed.samples, testCase.samples)

        // Reopened bytes, head or sealed, take more samples and keep the old ones.
        let extra = [
            Sample(timestamp: (testCase.samples.last?.timestamp ?? 0) + 15_000, value: 3.25),
            Sample(timestamp: (testCase.samples.last?.timestamp ?? 0) + 30_001, value: Sample.staleNaN),
        ]
        for bytes in [chunk.bytes, sealed] {
            var reopened = try Chunk(reopening: bytes)
            for sample in extra { reopened.append(timestamp: sample.timestamp, value: sample.value) }
            Self.expectSame(Self.decode(reopened.bytes).samples, testCase.samples + extra)
        }
    }

    @Test(arguments: cases.filter { !$0.samples.isEmpty })
    func truncatedBytesNeverTrap(_ testCase: Case) {
        var chunk = Chunk()
        for sample in testCase.samples { chunk.append(timestamp: sample.timestamp, value: sample.value) }
        for bytes in [chunk.bytes, chunk.sealed()] {
            for cut in 0..<bytes.count {
                let prefix = Array(bytes.prefix(cut))
                let decoded = Self.decode(prefix)
                #expect(decoded.malformed)
                #expect(decoded.samples.count < testCase.samples.count)
                #expect(throws: ChunkError.malformed) { try Chunk(reopening: prefix) }
            }
        }
    }

    @Test(arguments: [[UInt8](), [0], [4, 0, 1, 0], [2, 0], [3, 0, 1], [3, 0, 1, 19, 0], [3, 0, 0, 0, 0]])
    func malformedHeadersAreRejected(_ bytes: [UInt8]) {
        #expect(Self.decode(bytes).samples.isEmpty)
        #expect(throws: ChunkError.malformed) { try Chunk(reopening: bytes) }
    }

    /// Prometheus XOR chunks (format 1 checkpoints) read through the encoding byte 1.
    @Test(
        arguments: named(
            "steady integer counter", "decimals with 2 digits", "scale grows mid-chunk", "special values only"))
    func prometheusXORChunksDecode(_ testCase: Case) throws {
        var xor = XORChunk()
        for sample in testCase.samples { xor.append(timestamp: sample.timestamp, value: sample.value) }
        let bytes = [ChunkEncoding.prometheusXOR.rawValue] + xor.bytes
        let decoded = Self.decode(bytes)
        #expect(!decoded.malformed)
        #expect(Chunk.sampleCount(of: bytes) == testCase.samples.count)
        Self.expectSame(decoded.samples, testCase.samples)
        let reopened = try Chunk(reopening: bytes)
        #expect(reopened.encoding != .prometheusXOR)
        Self.expectSame(Self.decode(reopened.bytes).samples, testCase.samples)
    }

    static func named(_ names: String...) -> [Case] {
        cases.filter { names.contains($0.name) }
    }

    struct MantissaCase: Sendable {
        let value: Double
        let scale: Int
        let mantissa: Int64?
    }

    @Test(arguments: [
        MantissaCase(value: 0, scale: 0, mantissa: 0),
        MantissaCase(value: -0.0, scale: 0, mantissa: nil),
        MantissaCase(value: 20.35, scale: 2, mantissa: 2035),
        MantissaCase(value: 20.35, scale: 1, mantissa: nil),
        MantissaCase(value: 20.35, scale: 5, mantissa: 2_035_000),
        MantissaCase(value: -7, scale: 0, mantissa: -7),
        MantissaCase(value: 0.1 + 0.2, scale: 17, mantissa: nil),
        MantissaCase(value: 0.3, scale: 1, mantissa: 3),
        MantissaCase(value: 9_007_199_254_740_992, scale: 0, mantissa: 9_007_199_254_740_992),
        MantissaCase(value: 9_007_199_254_740_994, scale: 0, mantissa: nil),
        MantissaCase(value: .nan, scale: 0, mantissa: nil),
        MantissaCase(value: .infinity, scale: 3, mantissa: nil),
        MantissaCase(value: 1e-18, scale: 18, mantissa: 1),
    ])
    func mantissas(_ testCase: MantissaCase) {
        #expect(DecimalValues.mantissa(of: testCase.value, scale: testCase.scale) == testCase.mantissa)
    }

    @Test(arguments: [(Int64(0), 1), (-1, 1), (1, 2), (-2, 2), (2, 3), (127, 8), (-128, 8), (128, 9), (.max, 64)])
    func bitsNeeded(_ value: Int64, _ bits: Int) {
        #expect(MantissaCoder.bitsNeeded(value) == bits)
    }

    @Test(arguments: [
        (4, Int64(8), true), (4, -7, true), (4, -8, false), (4, 9, false), (10, 512, true), (10, -512, false),
    ])
    func bucketBounds(_ bits: Int, _ value: Int64, _ fits: Bool) {
        #expect(DeltaOfDeltaBuckets.fits(value, bits: bits) == fits)
    }

    /// The point of the encoding: a two-decimal gauge and a constant series scraped with jitter
    /// cost well under what Prometheus's XOR chunk spends on the same samples.
    @Test(arguments: [false, true])
    func smallerThanPrometheusXOR(_ constant: Bool) {
        let samples = Self.named("jittered scrapes of a two-decimal gauge")[0].samples.map {
            constant ? Sample(timestamp: $0.timestamp, value: 1) : $0
        }
        var chunk = Chunk()
        var xor = XORChunk()
        for sample in samples {
            chunk.append(timestamp: sample.timestamp, value: sample.value)
            xor.append(timestamp: sample.timestamp, value: sample.value)
        }
        #expect(Double(chunk.sealed().count) < Double(xor.bytes.count) * 0.75)
    }

    @Test func fullChunkRefusesSamples() {
        var chunk = Chunk()
        var appended = 0
        for i in 0..<Int(UInt16.max) where chunk.append(timestamp: Int64(i), value: Double(i % 7)) { appended += 1 }
        #expect(appended == Int(UInt16.max))
        #expect(chunk.isFull)
        let refused = !chunk.append(timestamp: 1 << 40, value: 1)
        #expect(refused)
        #expect(Self.decode(chunk.bytes).samples.count == Int(UInt16.max))
    }
}
