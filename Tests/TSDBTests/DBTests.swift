import Foundation
import Series
import Testing

@testable import TSDB

/// The store end to end: appends, selects, reopen, checkpoints, retention and stats.
struct DBTests {
    static func series(_ i: Int) -> Labels {
        Labels(["__name__": i % 2 == 0 ? "requests_total" : "temperature", "instance": "host-\(i % 5)", "n": "\(i)"])
    }

    /// `count` series with `perSeries` samples each at 15s, as batches of one timestamp (a scrape).
    static func fill(_ db: DB, count: Int, perSeries: Int, start: Int64 = 0) throws {
        for step in 0..<perSeries {
            let timestamp = start + Int64(step) * 15_000
            let batch = (0..<count).map { i in
                LabeledSample(labels: series(i), timestamp: timestamp, value: Double(step * (i + 1)))
            }
            let summary = try db.append(batch)
            #expect(summary.appended == count)
        }
    }

    /// Every sample of every series, by labels.
    static func dump(_ source: some SeriesSource, minTime: Int64 = .min, maxTime: Int64 = .max) throws
        -> [Labels: [Sample]]
    {
        let all = try LabelMatcher(name: "__name__", type: .regexMatch, value: ".+")
        var result: [Labels: [Sample]] = [:]
        for stored in try source.select(matchers: [all], minTime: minTime, maxTime: maxTime) {
            var iterator = stored.makeIterator()
            var samples: [Sample] = []
            while let sample = try iterator.next() { samples.append(sample) }
            result[stored.labels] = samples
        }
        return result
    }

    @Test func appendsSurviveReopen() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        try Self.fill(db, count: 10, perSeries: 300)
        try db.append(labels: Self.series(0), timestamp: 300 * 15_000, value: Sample.staleNaN)
        let before = try Self.dump(db)
        try db.close()
        #expect(throws: TSDBError.closed) { try db.append(labels: Self.series(0), timestamp: 1, value: 1) }

        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(reopened.recovery.tornTail == nil)
        #expect(reopened.recovery.samplesReplayed == 3001)
        let after = try Self.dump(reopened)
        #expect(after.count == 10)
        #expect(after.mapValues { $0.map(\.timestamp) } == before.mapValues { $0.map(\.timestamp) })
        #expect(after.mapValues { $0.map(\.value.bitPattern) } == before.mapValues { $0.map(\.value.bitPattern) })
        #expect(after[Self.series(0)]?.last?.isStaleMarker == true)
    }

    @Test func rejectionsAreCountedAndNotLogged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        let l = Self.series(1)
        #expect(try db.append(labels: l, timestamp: 2000, value: 1) == .appended)
        #expect(try db.append(labels: l, timestamp: 1000, value: 1) == .rejected(.outOfOrderSample))
        #expect(try db.append(labels: l, timestamp: 2000, value: 2) == .rejected(.duplicateSampleForTimestamp))
        #expect(try db.append(labels: l, timestamp: 2000, value: 1) == .ignoredDuplicate)
        #expect(try db.append(labels: .empty, timestamp: 3000, value: 1) == .rejected(.emptyLabelSet))
        let stats = db.stats
        #expect(stats.samplesAppended == 1)
        #expect(stats.outOfOrderSamples == 1)
        #expect(stats.duplicateSamples == 1)
        #expect(stats.series == 1)
        try db.close()
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(try Self.dump(reopened)[l] == [Sample(timestamp: 2000, value: 1)])
    }

    @Test func restartsWithoutAppendsReuseTheEmptySegment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try DB(path: dir.path).close()
        try DB(path: dir.path).close()
        let db = try DB(path: dir.path)
        try db.append(labels: Self.series(0), timestamp: 1, value: 1)
        try db.close()
        try DB(path: dir.path).close()
        #expect(try dir.segments() == ["00000000", "00000001"])
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(reopened.stats.samples == 1)
        #expect(reopened.stats.walSegments == 2)
    }

    @Test func secondOpenOfTheSameDirectoryIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        #expect(throws: TSDBError.locked(path: dir.path + "/lock")) { try DB(path: dir.path) }
        try db.close()
        try DB(path: dir.path).close()
    }

    @Test func checkpointReplacesTheWAL() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DB.Options()
        options.segmentSize = 4096
        let db = try DB(path: dir.path, options: options)
        try Self.fill(db, count: 20, perSeries: 200)
        #expect(try dir.segments().count > 3)
        try db.checkpoint()
        #expect(try dir.segments().count == 1)
        try Self.fill(db, count: 20, perSeries: 50, start: 200 * 15_000)
        let stats = db.stats
        #expect(stats.checkpoints == 1)
        #expect(stats.checkpointBytes > 0)
        #expect(stats.samples == 20 * 250)
        let before = try Self.dump(db)
        try db.close()

        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(reopened.recovery.checkpoint != nil)
        #expect(reopened.recovery.samplesReplayed == 20 * 50)
        #expect(try Self.dump(reopened) == before)
        // Appending continues the reopened head chunks.
        try Self.fill(reopened, count: 20, perSeries: 1, start: 250 * 15_000)
        #expect(reopened.stats.samples == 20 * 251)
    }

    @Test func interruptedCheckpointLeftoversAreIgnored() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        try Self.fill(db, count: 3, perSeries: 10)
        try db.close()
        // A half-written checkpoint: never renamed, so it must be deleted and not read.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.wal + "/checkpoint.00000005.tmp"))
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(reopened.recovery.checkpoint == nil)
        #expect(reopened.stats.samples == 30)
        #expect(!FileManager.default.fileExists(atPath: dir.wal + "/checkpoint.00000005.tmp"))
    }

    @Test func segmentsLeftByACrashAfterCheckpointAreDeleted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        try Self.fill(db, count: 4, perSeries: 30)
        let covered = try Data(contentsOf: URL(fileURLWithPath: dir.wal + "/00000000"))
        try db.checkpoint()
        try Self.fill(db, count: 4, perSeries: 5, start: 30 * 15_000)
        let before = try Self.dump(db)
        try db.close()
        // The crash came after the checkpoint's rename but before segment 0 was deleted.
        try covered.write(to: URL(fileURLWithPath: dir.wal + "/00000000"))
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(try Self.dump(reopened) == before)
        #expect(reopened.recovery.samplesReplayed == 20)
        #expect(!FileManager.default.fileExists(atPath: dir.wal + "/00000000"))
    }

    @Test func runSyncsAndCheckpointsInTheBackground() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DB.Options()
        options.syncInterval = .milliseconds(5)
        options.checkpointWALBytes = 1
        let db = try DB(path: dir.path, options: options)
        let service = Task { await db.run() }
        try Self.fill(db, count: 3, perSeries: 3)
        // Wait for the loop (no timing is asserted: the bound only stops a broken loop from hanging).
        for _ in 0..<12_000 where db.stats.checkpoints == 0 {
            try await Task.sleep(for: .milliseconds(5))
        }
        service.cancel()
        await service.value
        #expect(db.stats.checkpoints >= 1)
        #expect(db.stats.maintenanceFailures == 0)
        try db.close()
    }

    @Test func concurrentAppendsSelectsAndCheckpoints() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        let all = try LabelMatcher(name: "__name__", type: .equal, value: "concurrent")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for step in 0..<200 {
                        let labels = Labels(["__name__": "concurrent", "writer": "\(writer)"])
                        try db.append(labels: labels, timestamp: Int64(step) * 1000, value: Double(step))
                    }
                }
            }
            group.addTask {
                for _ in 0..<50 {
                    for series in try db.select(matchers: [all], minTime: .min, maxTime: .max) {
                        var iterator = series.makeIterator()
                        var previous: Int64 = -1
                        while let sample = try iterator.next() {
                            #expect(sample.timestamp > previous)
                            previous = sample.timestamp
                        }
                    }
                }
            }
            group.addTask {
                for _ in 0..<5 { try db.checkpoint() }
            }
            try await group.waitForAll()
        }
        #expect(db.stats.samples == 800)
        try db.close()
        let reopened = try DB(path: dir.path)
        defer { try? reopened.close() }
        #expect(reopened.stats.samples == 800)
    }

    @Test func retentionDropsOldDataAtCheckpoint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path, options: DB.Options(retention: .seconds(3600)))
        // Three hours of data for four series, and one series with a single sample at the start.
        try Self.fill(db, count: 4, perSeries: 720)
        let short = Labels(["__name__": "gone", "job": "old"])
        try db.append(labels: short, timestamp: 0, value: 1)
        try db.checkpoint()
        let stats = db.stats
        #expect(stats.series == 4)
        #expect(stats.seriesRemoved == 1)
        let newest: Int64 = 719 * 15_000
        // Whole chunks older than the cutoff are gone; the chunk straddling it stays.
        #expect(stats.minTime! <= newest - 3_600_000)
        #expect(stats.minTime! > newest - 3_600_000 - 120 * 15_000)
        #expect(try db.append(labels: short, timestamp: 1000, value: 1) == .rejected(.outOfBounds))
        #expect(db.stats.outOfBoundsSamples == 1)
        try db.close()
        let reopened = try DB(path: dir.path, options: DB.Options(retention: .seconds(3600)))
        defer { try? reopened.close() }
        #expect(reopened.stats.series == 4)
        #expect(reopened.stats.minTime == stats.minTime)
        #expect(try reopened.append(labels: short, timestamp: 1000, value: 1) == .rejected(.outOfBounds))
    }

    @Test func selectAgreesWithMemorySeriesSource() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB(path: dir.path)
        defer { try? db.close() }
        var memory = MemorySeriesSource()
        var generator = SplitMix(seed: 7)
        for i in 0..<30 {
            let labels = Self.series(i)
            var samples: [Sample] = []
            var timestamp = Int64(generator.next() % 100_000)
            for _ in 0..<Int(generator.next() % 400) {
                timestamp += Int64(generator.next() % 30_000) + 1
                let value = generator.next() % 10 == 0 ? Sample.staleNaN : Double(generator.next() % 1000) / 8
                samples.append(Sample(timestamp: timestamp, value: value))
            }
            memory.append(labels: labels, samples: samples)
            try db.append(samples.map { LabeledSample(labels: labels, sample: $0) })
        }
        let matcherSets: [[LabelMatcher]] = [
            [try LabelMatcher(name: "__name__", type: .equal, value: "temperature")],
            [try LabelMatcher(name: "instance", type: .regexMatch, value: "host-[12]")],
            [
                try LabelMatcher(name: "__name__", type: .notEqual, value: "temperature"),
                try LabelMatcher(name: "n", type: .regexNoMatch, value: "1.*"),
            ],
        ]
        for matchers in matcherSets {
            for (minTime, maxTime) in [(Int64.min, Int64.max), (1_000_000, 3_000_000), (5_000_000, 5_000_001)] {
                let expected = try memory.select(matchers: matchers, minTime: minTime, maxTime: maxTime)
                let actual = try db.select(matchers: matchers, minTime: minTime, maxTime: maxTime)
                let expectedSamples = try expected.map { try Self.read($0) }.filter { !$0.isEmpty }
                #expect(try actual.map { try Self.read($0) }.filter { !$0.isEmpty } == expectedSamples)
            }
        }
        #expect(db.labelValues("instance") == (0..<5).map { "host-\($0)" })
        #expect(db.labelNames() == ["__name__", "instance", "n"])
    }

    static func read(_ series: StoredSeries) throws -> [String] {
        var iterator = series.makeIterator()
        var out: [String] = []
        while let s = try iterator.next() { out.append("\(series.labels) \(s.timestamp) \(s.value.bitPattern)") }
        return out
    }

    @Test func maintainSyncsAndCheckpointsWhenDue() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DB.Options()
        options.checkpointWALBytes = 1000
        let db = try DB(path: dir.path, options: options)
        defer { try? db.close() }
        try Self.fill(db, count: 10, perSeries: 20)
        try db.maintain()
        #expect(db.stats.checkpoints == 1)
        #expect(db.stats.walBytes == 0)
    }
}

/// A small deterministic random generator for reproducible test data.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
