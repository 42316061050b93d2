import Series

/// A reference to a series in the head, assigned in creation order and written to the WAL.
typealias SeriesRef = UInt64

/// A closed (full) chunk of a series: its time range and encoded bytes.
struct ChunkMeta: Sendable {
    var minTime: Int64
    var maxTime: Int64
    var bytes: [UInt8]
}

/// A series held in the head: its labels, closed chunks and the open head chunk.
///
/// Every series in the head holds at least one sample, so the head chunk is never empty.
struct MemSeries: Sendable {
    let ref: SeriesRef
    let labels: Labels
    /// Closed chunks, oldest first.
    var chunks: [ChunkMeta]
    /// The chunk being appended to.
    var head: Chunk

    /// Creates a series holding one sample.
    init(ref: SeriesRef, labels: Labels, timestamp: Int64, value: Double) {
        self.ref = ref
        self.labels = labels
        chunks = []
        head = Chunk()
        head.append(timestamp: timestamp, value: value)
    }

    /// Restores a series from a checkpoint; `head` must not be empty.
    init(ref: SeriesRef, labels: Labels, chunks: [ChunkMeta], head: Chunk) {
        self.ref = ref
        self.labels = labels
        self.chunks = chunks
        self.head = head
    }

    /// The timestamp of the oldest sample held.
    var minTime: Int64 { chunks.first?.minTime ?? head.minTime }

    /// The timestamp of the newest sample.
    var maxTime: Int64 { head.maxTime }

    /// The bytes of every chunk, closed and open.
    var chunkBytes: Int { chunks.reduce(head.bytes.count) { $0 + $1.bytes.count } }

    /// Judges a sample against the last one by Prometheus's rules.
    func appendable(timestamp: Int64, value: Double) -> AppendOutcome {
        if timestamp > head.maxTime { return .appended }
        if timestamp < head.maxTime { return .rejected(.outOfOrderSample) }
        // Bit patterns are compared so a stale marker differs from an ordinary NaN.
        return value.bitPattern == head.lastValue.bitPattern
            ? .ignoredDuplicate : .rejected(.duplicateSampleForTimestamp)
    }

    /// Appends a sample that `appendable` accepted, cutting a new chunk when the head chunk is full
    /// (the closed chunk re-encoded by `Chunk.sealed()`). Returns the change in chunk bytes.
    mutating func append(timestamp: Int64, value: Double) -> Int {
        if head.count >= Chunk.targetSamples || head.isFull {
            let closed = compact(head.sealed())
            let change = closed.count - head.bytes.count
            chunks.append(ChunkMeta(minTime: head.minTime, maxTime: head.maxTime, bytes: closed))
            head = Chunk()
            head.append(timestamp: timestamp, value: value)
            return change + head.bytes.count
        }
        let before = head.bytes.count
        head.append(timestamp: timestamp, value: value)
        return head.bytes.count - before
    }

    /// Drops closed chunks that end before `cutoff`; returns how many chunks and bytes went.
    mutating func truncateChunks(before cutoff: Int64) -> (chunks: Int, bytes: Int) {
        let keep = chunks.firstIndex { $0.maxTime >= cutoff } ?? chunks.count
        guard keep > 0 else { return (0, 0) }
        let bytes = chunks[..<keep].reduce(0) { $0 + $1.bytes.count }
        chunks.removeFirst(keep)
        return (keep, bytes)
    }

    /// A copy with capacity trimmed to the count, so closed chunks hold no slack.
    private func compact(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }
}
