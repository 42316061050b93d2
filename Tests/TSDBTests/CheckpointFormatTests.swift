import Foundation
import Series
import Testing

@testable import TSDB

/// Checkpoints of format 1 (bare Prometheus XOR chunks) still load; unknown formats are refused
/// with an error that names the version.
struct CheckpointFormatTests {
    static let labels = Labels(["__name__": "temperature", "room": "a"])

    /// 300 samples: two closed chunks of 120 and a head chunk of 60, values with two decimals.
    static let samples: [Sample] = (0..<300).map { (i: Int) -> Sample in
        let jitter: Int64 = i % 7 == 0 ? 3 : 0
        let value = Double(2000 + i * 3 % 17) / 100
        return Sample(timestamp: 1_700_000_000_000 + Int64(i) * 15_000 + jitter, value: value)
    }

    /// A checkpoint as format 1 wrote it: chunks without an encoding byte.
    static func formatOneCheckpoint(version: UInt64 = 1) -> [UInt8] {
        var chunks: [Record.ChunkRange] = []
        var chunk = XORChunk()
        for sample in samples {
            if chunk.count == XORChunk.targetSamples {
                chunks.append(Record.ChunkRange(minTime: chunk.minTime, maxTime: chunk.maxTime, bytes: chunk.bytes))
                chunk = XORChunk()
            }
            chunk.append(timestamp: sample.timestamp, value: sample.value)
        }
        var bytes: [UInt8] = []
        let header = Record.CheckpointHeader(formatVersion: version, lastSegment: 0, nextRef: 2, minValidTime: .min)
        Frame.append(Record.checkpointHeader(header).encoded(), to: &bytes)
        let series = Record.CheckpointSeries(ref: 1, labels: labels, chunks: chunks, head: chunk.bytes)
        Frame.append(Record.checkpointSeries(series).encoded(), to: &bytes)
        return bytes
    }

    static func write(_ bytes: [UInt8], into dir: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: dir.wal, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: dir.wal + "/checkpoint.00000000"))
    }

    @Test func formatOneCheckpointLoadsAndKeepsAppending() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.write(Self.formatOneCheckpoint(), into: dir)
        let db = try DB(path: dir.path)
        #expect(db.stats.samples == 300)
        var expected = Self.samples
        #expect(try DBTests.dump(db)[Self.labels]?.map(\.value.bitPattern) == expected.map(\.value.bitPattern))
        #expect(try DBTests.dump(db)[Self.labels]?.map(\.timestamp) == expected.map(\.timestamp))

        // The head chunk continues in llmwatch's encoding; a new checkpoint is format 2 and reloads.
        for i in 300..<400 {
            let sample = Sample(timestamp: 1_700_000_000_000 + Int64(i) * 15_000, value: Double(i) / 4)
            #expect(try db.append(labels: Self.labels, timestamp: sample.timestamp, value: sample.value) == .appended)
            expected.append(sample)
        }
        try db.checkpoint()
        try db.close()
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        let dumped = try DBTests.dump(reopened)[Self.labels] ?? []
        #expect(dumped.map(\.timestamp) == expected.map(\.timestamp))
        #expect(dumped.map(\.value.bitPattern) == expected.map(\.value.bitPattern))
        let checkpoint = try FileManager.default.contentsOfDirectory(atPath: dir.wal).filter {
            $0.hasPrefix("checkpoint.")
        }
        #expect(checkpoint.count == 1)
        let (payloads, _) = Frame.split(try FileIO.read(dir.wal + "/" + checkpoint[0]))
        guard case .checkpointHeader(let header) = try Record.decode(payloads[0].payload) else {
            Issue.record("no header record")
            return
        }
        #expect(header.formatVersion == Checkpoint.formatVersion)
    }

    @Test func unknownFormatIsRefusedByVersion() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.write(Self.formatOneCheckpoint(version: 3), into: dir)
        do {
            _ = try DB(path: dir.path)
            Issue.record("a format 3 checkpoint was loaded")
        } catch {
            #expect("\(error)".contains("unknown format version 3"))
            #expect("\(error)".contains("reads versions 1 to 2"))
        }
    }
}
