import Foundation
import Series

/// The embedded time-series store, Prometheus's `tsdb.DB` in small: a head of series indexed by
/// postings and compressed into chunks (`Chunk`: Gorilla-style, with exact decimals), made durable by a WAL and periodic checkpoints in
/// `<path>/wal/`.
///
/// Durability: each `append` writes its records to the WAL before returning, so a killed process
/// (`kill -9`) loses nothing that was acknowledged; `fsync` runs at least once per
/// `Options.syncInterval` (one second), so a power failure loses at most that much. On open a torn
/// or corrupt WAL tail is cut and reported in `recovery`. Retention is applied at each checkpoint.
///
/// Thread-safe: appends, selects and maintenance may run from any task. Call `maintain()` every
/// second, or run `run()` as a service, and `close()` on shutdown.
public final class DB: SeriesSource, SampleAppender, @unchecked Sendable {
    /// The storage directory (`--storage.path`).
    public let path: String
    /// The options the store was opened with.
    public let options: Options
    /// What opening found on disk.
    public let recovery: RecoveryReport

    private let walDirectory: String
    private let state: Locked<State>
    /// Serialises checkpoints, which do their slow part outside `state`'s lock.
    private let checkpointLock = NSLock()

    private struct State {
        var head: Head
        var wal: WAL?
        var lockDescriptor: Int32
        var stats = TSDBStats()
        var lastSync = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
    }

    /// Opens (creating when absent) the store in `path`, replaying its checkpoint and WAL.
    ///
    /// Throws `TSDBError.locked` when another process uses the directory, `.corruptCheckpoint` when
    /// the checkpoint does not decode, and `.io` on file-system errors. A torn WAL tail is not an
    /// error: it is cut, reported in `recovery`, and passed to `options.warn`.
    public init(path: String, options: Options = Options()) throws(TSDBError) {
        self.path = path
        self.options = options
        walDirectory = path + "/wal"
        try FileIO.makeDirectory(walDirectory)
        let lockDescriptor = try FileIO.lock(path + "/lock")
        do {
            let recovered = try Recovery(directory: walDirectory)
            let wal = try WAL(
                directory: walDirectory, segment: recovered.nextSegment, segmentSize: options.segmentSize,
                existingBytes: recovered.segmentBytes, existingSegments: recovered.segments)
            var state = State(head: recovered.head, wal: wal, lockDescriptor: lockDescriptor)
            state.stats.checkpointBytes = recovered.checkpointBytes
            state.stats.walCorruptions = recovered.report.tornTail == nil ? 0 : 1
            self.state = Locked(state)
            recovery = recovered.report
        } catch {
            Foundation.close(lockDescriptor)
            throw error
        }
        for warning in recovery.warnings { options.warn?(warning) }
    }

    deinit {
        state.withLock { state in
            if state.lockDescriptor >= 0 { Foundation.close(state.lockDescriptor) }
        }
    }

    /// Appends a batch of samples (one scrape, one rule evaluation) and logs it to the WAL.
    ///
    /// Each sample is judged by Prometheus's rules: older than its series' newest is out of order,
    /// the same timestamp with other value bits is a duplicate, an exact repeat is silently
    /// ignored, older than the retention cutoff is out of bounds. Refused samples are counted in
    /// `stats` and the summary; they are not errors. Throws only when the WAL cannot be written or
    /// synced (the samples then stay in memory but may not survive a restart) or the store is closed.
    @discardableResult
    public func append(_ samples: [LabeledSample]) throws(TSDBError) -> AppendSummary {
        let (summary, syncDue) = try state.withLock { (state) throws(TSDBError) -> (AppendSummary, Bool) in
            guard let wal = state.wal else { throw .closed }
            var summary = AppendSummary()
            var created: [Record.SeriesRecord] = []
            var accepted: [Record.RefSample] = []
            accepted.reserveCapacity(samples.count)
            for item in samples {
                var new: SeriesRef?
                let (outcome, ref) = state.head.append(
                    labels: item.labels, timestamp: item.sample.timestamp, value: item.sample.value, created: &new)
                if let new { created.append(Record.SeriesRecord(ref: new, labels: item.labels)) }
                summary.record(outcome)
                if outcome == .appended, let ref {
                    accepted.append(
                        Record.RefSample(ref: ref, timestamp: item.sample.timestamp, value: item.sample.value))
                }
            }
            var records: [Record] = []
            if !created.isEmpty { records.append(.series(created)) }
            if !accepted.isEmpty { records.append(.samples(accepted)) }
            state.stats.samplesAppended += summary.appended
            state.stats.outOfOrderSamples += summary.rejected[.outOfOrderSample] ?? 0
            state.stats.duplicateSamples += summary.rejected[.duplicateSampleForTimestamp] ?? 0
            state.stats.outOfBoundsSamples += summary.rejected[.outOfBounds] ?? 0
            try wal.log(records)
            return (summary, ContinuousClock.now - state.lastSync >= options.syncInterval)
        }
        if syncDue { try sync() }
        return summary
    }

    /// Appends one sample; see `append(_:)` for the rules.
    @discardableResult
    public func append(labels: Labels, timestamp: Int64, value: Double) throws(TSDBError) -> AppendOutcome {
        let summary = try append([LabeledSample(labels: labels, timestamp: timestamp, value: value)])
        if summary.appended == 1 { return .appended }
        if summary.ignoredDuplicates == 1 { return .ignoredDuplicate }
        return .rejected(summary.rejected.keys.first ?? .outOfBounds)
    }

    /// See `SeriesSource.select`: series chosen through the postings index, read lazily from
    /// their chunks as they were when selected.
    public func select(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> [StoredSeries] {
        state.withLock { $0.head.select(matchers: matchers, minTime: minTime, maxTime: maxTime) }
    }

    /// Every label name in use, sorted.
    public func labelNames() -> [String] {
        state.withLock { $0.head.postings.labelNames }
    }

    /// Every value of label `name` in use, sorted.
    public func labelValues(_ name: String) -> [String] {
        state.withLock { $0.head.postings.values(of: name).keys.sorted() }
    }

    /// The head's cardinality, keeping the `limit` largest entries of each list.
    public func cardinality(limit: Int = 10) -> TSDBCardinality {
        state.withLock { TSDBCardinality(postings: $0.head.postings, limit: limit) }
    }

    /// The store's current size and counters.
    public var stats: TSDBStats {
        state.withLock { state in
            var stats = state.stats
            stats.series = state.head.series.count
            stats.chunks = state.head.closedChunks + state.head.series.count
            stats.chunkBytes = state.head.chunkBytes
            stats.samples = state.head.sampleCount
            stats.labelBytes = state.head.labelBytes
            stats.walBytes = state.wal?.totalBytes ?? 0
            stats.walSegments = state.wal?.segmentCount ?? 0
            stats.minTime = state.head.minTime
            stats.maxTime = state.head.series.isEmpty ? nil : state.head.maxTime
            return stats
        }
    }

    /// Flushes the WAL to stable storage (`fsync`), without blocking appends while the disk works.
    public func sync() throws(TSDBError) {
        let descriptor = try state.withLock { (state) throws(TSDBError) -> Int32 in
            guard let wal = state.wal else { throw .closed }
            state.lastSync = .now
            return wal.duplicateDescriptor()
        }
        guard descriptor >= 0 else { throw .io(operation: "dup", path: walDirectory, errno: errno) }
        defer { Foundation.close(descriptor) }
        try FileIO.sync(descriptor, path: walDirectory)
    }

    /// Applies retention, writes a checkpoint of the head and deletes the WAL segments it covers.
    ///
    /// Appends wait only while the head is truncated and the WAL segment cut; the checkpoint is
    /// encoded and written from a snapshot of the head (chunks are values, so the copy is cheap).
    public func checkpoint() throws(TSDBError) {
        checkpointLock.lock()
        defer { checkpointLock.unlock() }
        let (snapshot, lastSegment) = try state.withLock { (state) throws(TSDBError) -> (Head, Int) in
            guard let wal = state.wal else { throw .closed }
            if let retention = options.retention, state.head.maxTime != .min {
                let (cutoff, overflow) = state.head.maxTime.subtractingReportingOverflow(retention.milliseconds)
                let removed = state.head.truncate(before: overflow ? .min : cutoff)
                state.stats.seriesRemoved += removed.count
            }
            state.lastCheckpoint = .now
            return (state.head, try wal.cut())
        }
        let bytes = Checkpoint.encode(snapshot, lastSegment: lastSegment)
        try FileIO.writeAtomically(
            bytes, to: walDirectory + "/" + Checkpoint.name(lastSegment), directory: walDirectory)
        var deletedBytes = 0
        var deletedSegments = 0
        for name in try FileIO.list(walDirectory) {
            if let index = Checkpoint.index(of: name), index < lastSegment {
                try FileIO.remove(walDirectory + "/" + name)
            } else if let index = WAL.index(of: name), index <= lastSegment {
                deletedBytes += FileIO.size(walDirectory + "/" + name)
                deletedSegments += 1
                try FileIO.remove(walDirectory + "/" + name)
            }
        }
        try FileIO.syncDirectory(walDirectory)
        state.withLock { state in
            state.wal?.forget(bytes: deletedBytes, segments: deletedSegments)
            state.stats.checkpointBytes = bytes.count
            state.stats.checkpoints += 1
        }
    }

    /// Does what is due: `sync` once per `Options.syncInterval`, `checkpoint` once per
    /// `Options.checkpointInterval` or when the WAL outgrows `Options.checkpointWALBytes`.
    public func maintain() throws(TSDBError) {
        let (syncDue, checkpointDue) = try state.withLock { (state) throws(TSDBError) -> (Bool, Bool) in
            guard let wal = state.wal else { throw .closed }
            let now = ContinuousClock.now
            let walGrew = wal.totalBytes > 0
            return (
                now - state.lastSync >= options.syncInterval,
                wal.totalBytes >= options.checkpointWALBytes
                    || (walGrew && now - state.lastCheckpoint >= options.checkpointInterval)
            )
        }
        if syncDue { try sync() }
        if checkpointDue { try checkpoint() }
    }

    /// Calls `maintain()` every `Options.syncInterval` until the task is cancelled, then syncs.
    /// Failures are counted in `stats.maintenanceFailures`, passed to `Options.warn`, and retried.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.syncInterval)
            do {
                try maintain()
            } catch .closed {
                return
            } catch {
                state.withLock { $0.stats.maintenanceFailures += 1 }
                options.warn?("time-series store maintenance failed: \(error)")
            }
        }
        try? sync()
    }

    /// Syncs and closes the WAL and releases the directory lock; later calls throw `TSDBError.closed`.
    public func close() throws(TSDBError) {
        try state.withLock { (state) throws(TSDBError) in
            defer {
                state.wal = nil
                if state.lockDescriptor >= 0 { Foundation.close(state.lockDescriptor) }
                state.lockDescriptor = -1
            }
            try state.wal?.close()
        }
    }
}
