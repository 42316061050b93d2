import Series

/// The in-memory part of the store: series with their chunks, and the postings index over them.
///
/// A value type with no locking of its own; `DB` owns one behind a lock. Appends follow
/// Prometheus's rules (see `MemSeries.appendable`), and samples before `minValidTime` are out of
/// bounds.
struct Head: Sendable {
    private(set) var series: [SeriesRef: MemSeries] = [:]
    private var refsByLabels: [Labels: SeriesRef] = [:]
    private(set) var postings = MemPostings()
    /// The ref the next new series gets.
    private(set) var nextRef: SeriesRef = 1
    /// Samples older than this are refused as out of bounds (milliseconds).
    private(set) var minValidTime: Int64 = .min
    /// The newest timestamp appended to any series (milliseconds); `.min` while empty.
    private(set) var maxTime: Int64 = .min
    /// The bytes of all chunks, closed and open.
    private(set) var chunkBytes = 0
    /// The number of closed chunks.
    private(set) var closedChunks = 0
    /// The number of samples held.
    private(set) var sampleCount = 0
    /// The bytes of the label names and values of every series held.
    private(set) var labelBytes = 0

    /// The ref of the series with exactly these labels, if the head holds it.
    func ref(for labels: Labels) -> SeriesRef? {
        refsByLabels[labels]
    }

    /// Appends one sample. When the sample creates a series, `created` is set to its ref.
    mutating func append(labels: Labels, timestamp: Int64, value: Double, created: inout SeriesRef?)
        -> (outcome: AppendOutcome, ref: SeriesRef?)
    {
        created = nil
        guard !labels.isEmpty else { return (.rejected(.emptyLabelSet), nil) }
        if let ref = refsByLabels[labels] {
            return (append(ref: ref, timestamp: timestamp, value: value), ref)
        }
        guard timestamp >= minValidTime else { return (.rejected(.outOfBounds), nil) }
        let ref = nextRef
        create(MemSeries(ref: ref, labels: labels, timestamp: timestamp, value: value))
        created = ref
        return (.appended, ref)
    }

    /// Appends one sample to an existing series.
    mutating func append(ref: SeriesRef, timestamp: Int64, value: Double) -> AppendOutcome {
        guard series[ref] != nil, timestamp >= minValidTime else { return .rejected(.outOfBounds) }
        let outcome = series[ref]!.appendable(timestamp: timestamp, value: value)
        guard outcome == .appended else { return outcome }
        let before = series[ref]!.chunks.count
        chunkBytes += series[ref]!.append(timestamp: timestamp, value: value)
        closedChunks += series[ref]!.chunks.count - before
        sampleCount += 1
        maxTime = max(maxTime, timestamp)
        return .appended
    }

    /// Adds a series restored from a checkpoint or the WAL, replacing any series with the same labels.
    mutating func restore(_ restored: MemSeries) {
        if let old = refsByLabels[restored.labels] { remove([old]) }
        create(restored)
    }

    /// Appends a sample replayed from the WAL to series `ref`, creating it with `labels` when absent.
    mutating func append(ref: SeriesRef, creatingWith labels: Labels, timestamp: Int64, value: Double)
        -> AppendOutcome
    {
        if series[ref] != nil { return append(ref: ref, timestamp: timestamp, value: value) }
        guard timestamp >= minValidTime else { return .rejected(.outOfBounds) }
        restore(MemSeries(ref: ref, labels: labels, timestamp: timestamp, value: value))
        return .appended
    }

    /// Drops closed chunks that end before `cutoff` and series whose newest sample is before it;
    /// later samples before `cutoff` are out of bounds. Returns the refs of the removed series.
    @discardableResult
    mutating func truncate(before cutoff: Int64) -> [SeriesRef] {
        minValidTime = max(minValidTime, cutoff)
        var gone: [SeriesRef] = []
        for ref in Array(series.keys) {
            if series[ref]!.maxTime < cutoff {
                gone.append(ref)
                continue
            }
            let samplesBefore = series[ref]!.chunks.reduce(0) { $0 + Head.sampleCount(of: $1) }
            let dropped = series[ref]!.truncateChunks(before: cutoff)
            guard dropped.chunks > 0 else { continue }
            let samplesAfter = series[ref]!.chunks.reduce(0) { $0 + Head.sampleCount(of: $1) }
            chunkBytes -= dropped.bytes
            closedChunks -= dropped.chunks
            sampleCount -= samplesBefore - samplesAfter
        }
        remove(gone)
        return gone.sorted()
    }

    /// Makes new series get refs from `ref` on (used when restoring a checkpoint).
    mutating func advanceNextRef(to ref: SeriesRef) {
        nextRef = max(nextRef, ref)
    }

    /// Sets the out-of-bounds limit without dropping anything (used when restoring a checkpoint).
    mutating func setMinValidTime(_ time: Int64) {
        minValidTime = max(minValidTime, time)
    }

    /// The series matching every matcher with samples in `minTime...maxTime`, sorted by labels.
    func select(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) -> [StoredSeries] {
        let refs = Postings.forMatchers(matchers, in: postings) { series[$0]?.labels }
        var found: [MemSeries] = []
        for ref in refs {
            guard let s = series[ref], s.minTime <= maxTime, s.maxTime >= minTime else { continue }
            found.append(s)
        }
        found.sort { $0.labels < $1.labels }
        return found.map { s in
            var overlapping = s.chunks.filter { $0.maxTime >= minTime && $0.minTime <= maxTime }.map(\.bytes)
            if s.head.minTime <= maxTime { overlapping.append(s.head.bytes) }
            let chunks = overlapping
            return StoredSeries(labels: s.labels) {
                ChunkSeriesIterator(chunks: chunks, minTime: minTime, maxTime: maxTime)
            }
        }
    }

    private mutating func create(_ new: MemSeries) {
        series[new.ref] = new
        refsByLabels[new.labels] = new.ref
        postings.add(new.ref, labels: new.labels)
        labelBytes += Head.labelBytes(of: new.labels)
        nextRef = max(nextRef, new.ref + 1)
        chunkBytes += new.chunkBytes
        closedChunks += new.chunks.count
        sampleCount += new.chunks.reduce(new.head.count) { $0 + Head.sampleCount(of: $1) }
        maxTime = max(maxTime, new.maxTime)
    }

    private mutating func remove(_ refs: [SeriesRef]) {
        var removed: [(ref: SeriesRef, labels: Labels)] = []
        for ref in refs {
            guard let old = series.removeValue(forKey: ref) else { continue }
            refsByLabels[old.labels] = nil
            labelBytes -= Head.labelBytes(of: old.labels)
            chunkBytes -= old.chunkBytes
            closedChunks -= old.chunks.count
            sampleCount -= old.chunks.reduce(old.head.count) { $0 + Head.sampleCount(of: $1) }
            removed.append((ref, old.labels))
        }
        postings.remove(removed)
    }

    /// The oldest sample timestamp held, nil while empty.
    var minTime: Int64? {
        series.values.lazy.map(\.minTime).min()
    }

    private static func labelBytes(of labels: Labels) -> Int {
        labels.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
    }

    private static func sampleCount(of chunk: ChunkMeta) -> Int {
        Chunk.sampleCount(of: chunk.bytes)
    }
}
