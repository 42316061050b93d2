import Series

/// Rebuilds the head on open: the newest checkpoint, then every WAL segment after it.
///
/// The first record that is torn, fails its checksum or does not decode ends the replay: its
/// segment is truncated there and later segments are deleted, so the WAL is whole again and new
/// records follow good ones. Leftovers of an interrupted checkpoint (temporary files, segments and
/// checkpoints it already covers) are deleted.
struct Recovery {
    /// The restored head.
    var head = Head()
    /// What was found.
    var report = RecoveryReport()
    /// The index for the next segment to write.
    var nextSegment = 0
    /// Segments kept on disk and their bytes.
    var segments = 0
    var segmentBytes = 0
    /// The size of the loaded checkpoint.
    var checkpointBytes = 0

    private var pendingLabels: [SeriesRef: Labels] = [:]
    private var refMap: [SeriesRef: SeriesRef] = [:]

    /// Recovers from the WAL directory `directory`.
    init(directory: String) throws(TSDBError) {
        let names = try FileIO.list(directory)
        for name in names where name.hasSuffix(".tmp") { try FileIO.remove(directory + "/" + name) }
        let checkpoints = names.compactMap { name in Checkpoint.index(of: name).map { ($0, name) } }.sorted {
            $0.0 < $1.0
        }
        var covered = -1
        if let (last, name) = checkpoints.last {
            let path = directory + "/" + name
            (head, covered) = try Checkpoint.load(path)
            report.checkpoint = path
            checkpointBytes = FileIO.size(path)
            for (_, old) in checkpoints.dropLast() { try FileIO.remove(directory + "/" + old) }
            nextSegment = max(last, covered) + 1
        }
        let all = names.compactMap { name in WAL.index(of: name).map { ($0, name) } }.sorted { $0.0 < $1.0 }
        for (index, name) in all where index <= covered { try FileIO.remove(directory + "/" + name) }
        let live = all.filter { $0.0 > covered }
        var lastKept: (index: Int, bytes: Int)?
        for (position, (index, name)) in live.enumerated() {
            let path = directory + "/" + name
            let bytes = try FileIO.read(path)
            report.segmentsReplayed += 1
            guard let damage = replay(bytes) else {
                segmentBytes += bytes.count
                lastKept = (index, bytes.count)
                continue
            }
            var cut = bytes.count - damage.offset
            for (_, laterName) in live.dropFirst(position + 1) {
                cut += FileIO.size(directory + "/" + laterName)
                try FileIO.remove(directory + "/" + laterName)
            }
            try FileIO.truncate(path, to: damage.offset)
            try FileIO.syncDirectory(directory)
            report.tornTail = RecoveryReport.TornTail(
                segment: path, offset: damage.offset, bytesCut: cut, reason: damage.reason)
            segmentBytes += damage.offset
            lastKept = (index, damage.offset)
            break
        }
        guard let lastKept else { return }
        segments = report.segmentsReplayed
        // An empty last segment (a restart with no appends, or a tear at its first byte) is
        // reused rather than followed by another empty one.
        if lastKept.bytes == 0 {
            nextSegment = lastKept.index
            segments -= 1
        } else {
            nextSegment = lastKept.index + 1
        }
    }

    /// Replays one segment; returns where and why it is damaged, if it is.
    private mutating func replay(_ bytes: [UInt8]) -> (offset: Int, reason: String)? {
        let (payloads, damage) = Frame.split(bytes)
        for (offset, payload) in payloads {
            guard let record = try? Record.decode(payload) else {
                return (offset, Frame.Damage.undecodable.description)
            }
            apply(record)
            report.recordsReplayed += 1
        }
        return damage.map { ($0.offset, $0.1.description) }
    }

    private mutating func apply(_ record: Record) {
        switch record {
        case .series(let series):
            for s in series {
                if let existing = head.ref(for: s.labels) {
                    refMap[s.ref] = existing
                } else {
                    pendingLabels[s.ref] = s.labels
                }
            }
        case .samples(let samples):
            for s in samples {
                let ref = refMap[s.ref] ?? s.ref
                let outcome: AppendOutcome
                if head.series[ref] != nil {
                    outcome = head.append(ref: ref, timestamp: s.timestamp, value: s.value)
                } else if let labels = pendingLabels[ref] {
                    outcome = head.append(ref: ref, creatingWith: labels, timestamp: s.timestamp, value: s.value)
                    if outcome == .appended { pendingLabels[ref] = nil }
                } else {
                    outcome = .rejected(.outOfBounds)
                }
                switch outcome {
                case .appended: report.samplesReplayed += 1
                case .ignoredDuplicate: break
                case .rejected: report.samplesSkipped += 1
                }
            }
        case .checkpointHeader, .checkpointSeries:
            break
        }
    }
}
