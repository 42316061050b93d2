import Foundation
import Series
import TestSupport
import Testing

@testable import TSDB

/// A WAL torn or corrupted at any byte reopens to exactly the commits that were whole before the
/// damage, with the damage cut and reported.
struct CrashConsistencyTests {
    static let seriesCount = 5
    static let commits = 30

    static func labels(_ i: Int) -> Labels {
        Labels(["__name__": "crash_test", "series": "\(i)"])
    }

    /// The samples of commit `k`: one per series; commit 0 also creates the series.
    static func commit(_ k: Int) -> [LabeledSample] {
        (0..<seriesCount).map { i in
            let value = (k + i) % 7 == 6 ? Sample.staleNaN : Double(k * 10 + i) + 0.25
            return LabeledSample(labels: labels(i), timestamp: Int64(k) * 15_000, value: value)
        }
    }

    /// Writes the commits to a fresh store and returns its single WAL segment.
    static func writeSegment() throws -> [UInt8] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        for k in 0..<commits { try db.append(commit(k)) }
        try db.close()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.wal + "/00000000")))
    }

    /// The WAL offsets at which each commit ends: commit 0 is a series frame and a samples frame.
    static func commitEnds(_ segment: [UInt8]) -> [Int] {
        let frames = Frame.split(segment).payloads
        let ends = frames.indices.map { $0 + 1 < frames.count ? frames[$0 + 1].offset : segment.count }
        return Array(ends.dropFirst())
    }

    /// What a store holding the first `whole` commits returns.
    static func expected(whole: Int) -> [Labels: [UInt64]] {
        var result: [Labels: [UInt64]] = [:]
        for k in 0..<whole {
            for sample in commit(k) { result[sample.labels, default: []].append(sample.sample.value.bitPattern) }
        }
        return result
    }

    static func values(_ db: DB) throws -> [Labels: [UInt64]] {
        try DBTests.dump(db).mapValues { $0.map(\.value.bitPattern) }
    }

    /// Replaces the WAL of `dir` with one segment holding `bytes`, then opens the store.
    static func open(_ dir: TemporaryDirectory, segment bytes: [UInt8]) throws -> DB {
        try? FileManager.default.removeItem(atPath: dir.wal)
        try FileManager.default.createDirectory(atPath: dir.wal, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: dir.wal + "/00000000"))
        // A child process that another test forks in the instant between our close and this
        // open holds the lock until it execs; wait that instant out.
        for _ in 0..<50 {
            do {
                return try DB(path: dir.path)
            } catch .locked {
                usleep(10_000)
            }
        }
        return try DB(path: dir.path)
    }

    /// Opens the store once per byte of the WAL, so hundreds of opens and fsyncs: run off the
    /// cooperative pool (see `offPool`), collecting what differed.
    @Test func tornAtEveryOffset() async throws {
        let mismatches = try await offPool { try Self.tearAtEveryOffset() }
        #expect(mismatches.isEmpty, "\(mismatches.count) offsets differ: \(mismatches.prefix(5))")
    }

    @Test func corruptedAtEveryOffset() async throws {
        let mismatches = try await offPool { try Self.corruptAtEveryOffset() }
        #expect(mismatches.isEmpty, "\(mismatches.count) offsets differ: \(mismatches.prefix(5))")
    }

    /// Each offset at which the torn WAL reopened other than expected, described.
    static func tearAtEveryOffset() throws -> [String] {
        let segment = try writeSegment()
        let ends = commitEnds(segment)
        var mismatches: [String] = []
        if ends.count != commits { mismatches.append("\(ends.count) commits written, not \(commits)") }
        let boundaries = Set([0] + Frame.split(segment).payloads.map(\.offset) + [segment.count])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for offset in 0...segment.count {
            let db = try open(dir, segment: Array(segment[..<offset]))
            let whole = ends.filter { $0 <= offset }.count
            if try values(db) != expected(whole: whole) { mismatches.append("torn at \(offset): other samples") }
            let lastBoundary = boundaries.filter { $0 <= offset }.max()!
            if boundaries.contains(offset) {
                if db.recovery.tornTail != nil { mismatches.append("torn at \(offset): a cut was reported") }
            } else {
                let tail = db.recovery.tornTail
                if tail?.offset != lastBoundary || tail?.bytesCut != offset - lastBoundary
                    || db.recovery.warnings.count != 1 || db.stats.walCorruptions != 1
                {
                    mismatches.append("torn at \(offset): reported \(String(describing: tail))")
                }
            }
            if FileIO.size(dir.wal + "/00000000") != lastBoundary {
                mismatches.append("torn at \(offset): segment not cut to \(lastBoundary)")
            }
            try db.close()
        }
        return mismatches
    }

    /// Each offset at which a flipped byte reopened other than expected, described.
    static func corruptAtEveryOffset() throws -> [String] {
        let segment = try writeSegment()
        let frames = Frame.split(segment).payloads
        let ends = commitEnds(segment)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var mismatches: [String] = []
        for offset in 0..<segment.count {
            var damaged = segment
            damaged[offset] ^= 0x5A
            let db = try open(dir, segment: damaged)
            let frameStart = frames.last { $0.offset <= offset }!.offset
            let whole = ends.filter { $0 <= frameStart }.count
            if try values(db) != expected(whole: whole) { mismatches.append("corrupted at \(offset): other samples") }
            let tail = db.recovery.tornTail
            if tail?.offset != frameStart || tail?.bytesCut != segment.count - frameStart {
                mismatches.append("corrupted at \(offset): reported \(String(describing: tail))")
            }
            try db.close()
        }
        return mismatches
    }

    @Test func appendsAfterACutTailReplayCleanly() throws {
        let segment = try Self.writeSegment()
        let ends = Self.commitEnds(segment)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for offset in [ends[3] + 5, ends[10] - 1, segment.count - 3] {
            let db = try Self.open(dir, segment: Array(segment[..<offset]))
            let whole = ends.filter { $0 <= offset }.count
            try db.append(Self.commit(whole))
            try db.close()
            let reopened = try DB(path: dir.path)
            #expect(reopened.recovery.tornTail == nil)
            #expect(try Self.values(reopened) == Self.expected(whole: whole + 1))
            try reopened.close()
        }
    }

    @Test func damageInAMiddleSegmentDropsTheSegmentsAfterIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DB.Options()
        options.segmentSize = 200
        let db = try DB(path: dir.path, options: options)
        for k in 0..<Self.commits { try db.append(Self.commit(k)) }
        try db.close()
        let segments = try dir.segments()
        #expect(segments.count > 4)
        let victim = dir.wal + "/" + segments[2]
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: victim)))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: victim))

        let reopened = try DB(path: dir.path, options: options)
        defer { try? reopened.close() }
        #expect(reopened.recovery.tornTail?.segment == victim)
        // Segments 0 and 1 plus the whole frames of segment 2 survive; later segments are gone.
        #expect(try dir.segments().count == 4)
        let survivors = try Self.values(reopened)
        let whole = survivors.values.first?.count ?? 0
        #expect(whole > 0 && whole < Self.commits)
        #expect(survivors == Self.expected(whole: whole))
    }
}
