import Series
import Testing

@testable import TSDB

/// Records and frames round-trip, and damaged frames are refused with the right reason.
struct RecordTests {
    static let records: [Record] = [
        .series([]),
        .series([
            Record.SeriesRecord(ref: 1, labels: Labels(["__name__": "up", "job": "api"])),
            Record.SeriesRecord(ref: 1 << 40, labels: Labels(["ünïcode": "välue ✓", "a": "\n\"\\"])),
        ]),
        .samples([]),
        .samples([
            Record.RefSample(ref: 7, timestamp: 1_700_000_000_000, value: 1.5),
            Record.RefSample(ref: 3, timestamp: 1_699_999_999_000, value: Sample.staleNaN),
            Record.RefSample(ref: .max, timestamp: .min, value: -.infinity),
            Record.RefSample(ref: 0, timestamp: .max, value: .nan),
        ]),
        .checkpointHeader(Record.CheckpointHeader(formatVersion: 1, lastSegment: 12, nextRef: 99, minValidTime: -5)),
        .checkpointSeries(
            Record.CheckpointSeries(
                ref: 5, labels: Labels(["x": "y"]),
                chunks: [
                    Record.ChunkRange(minTime: 0, maxTime: 10, bytes: [0, 1, 2]),
                    Record.ChunkRange(minTime: 1_700_000_000_000, maxTime: 1_700_000_001_785, bytes: []),
                    Record.ChunkRange(minTime: .min, maxTime: .max, bytes: [9]),
                ], head: [0, 0])),
    ]

    @Test(arguments: records)
    func roundTrip(_ record: Record) throws {
        #expect(try Record.decode(record.encoded()) == record)
    }

    @Test(arguments: records)
    func everyTruncationIsRefused(_ record: Record) {
        let bytes = record.encoded()
        for cut in 0..<bytes.count {
            #expect(throws: ByteReader.Malformed.self) { try Record.decode(Array(bytes[..<cut])) }
        }
    }

    struct DamageCase: Sendable, CustomTestStringConvertible {
        let name: String
        let damage: @Sendable ([UInt8]) -> [UInt8]
        let expected: (Int, Frame.Damage)?
        var testDescription: String { name }
    }

    /// Two frames of 3 and 2 payload bytes: the second starts at byte 11.
    static let twoFrames: [UInt8] = {
        var bytes: [UInt8] = []
        Frame.append([1, 2, 3], to: &bytes)
        Frame.append([4, 5], to: &bytes)
        return bytes
    }()

    static let damageCases: [DamageCase] = [
        DamageCase(name: "whole", damage: { $0 }, expected: nil),
        DamageCase(name: "cut in second header", damage: { Array($0.prefix(14)) }, expected: (11, .truncated)),
        DamageCase(name: "cut in second payload", damage: { Array($0.prefix(20)) }, expected: (11, .truncated)),
        DamageCase(
            name: "zeros appended", damage: { $0 + [UInt8](repeating: 0, count: 16) }, expected: (21, .zeroLength)),
        DamageCase(
            name: "flipped payload bit",
            damage: { bytes in
                var copy = bytes
                copy[20] ^= 0x10
                return copy
            }, expected: (11, .checksumMismatch)),
    ]

    @Test(arguments: damageCases)
    func frameDamage(_ testCase: DamageCase) {
        let (payloads, damage) = Frame.split(testCase.damage(Self.twoFrames))
        #expect(payloads.first?.payload == [1, 2, 3])
        #expect(damage?.offset == testCase.expected?.0)
        #expect(damage?.1 == testCase.expected?.1)
    }
}
