/// Checkpoints: files `wal/checkpoint.NNNNNNNN` holding the whole head (every series with its
/// compressed chunks) as of the end of WAL segment NNNNNNNN, so that segment and all older ones
/// can be deleted.
///
/// Unlike Prometheus, whose checkpoints hold WAL records and whose compacted data lives in blocks,
/// this store keeps everything in the head, so its checkpoint doubles as the block: the chunks are
/// written as they are held, at the same compression. A checkpoint is written to a temporary file,
/// synced and renamed, so it is either whole or absent.
///
/// Format 2 stores chunks with their `ChunkEncoding` byte first. Format 1 (before llmwatch's own
/// encodings) stored bare Prometheus XOR chunks; it still loads: its closed chunks are kept as
/// `prometheusXOR` chunks and its head chunks are re-encoded for appending.
enum Checkpoint {
    /// The version written in each checkpoint's header record.
    static let formatVersion: UInt64 = 2
    /// The versions `load` reads.
    static let readableVersions: ClosedRange<UInt64> = 1...2

    /// The file name of the checkpoint covering segments up to `segment`.
    static func name(_ segment: Int) -> String {
        "checkpoint." + WAL.name(segment)
    }

    /// The last segment a checkpoint file name covers, if `name` is one.
    static func index(of name: String) -> Int? {
        guard name.hasPrefix("checkpoint."), !name.hasSuffix(".tmp") else { return nil }
        return WAL.index(of: String(name.dropFirst("checkpoint.".count)))
    }

    /// Encodes `head` as a checkpoint covering segments up to `lastSegment`.
    static func encode(_ head: Head, lastSegment: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.chunkBytes + head.series.count * 64 + 64)
        let header = Record.CheckpointHeader(
            formatVersion: formatVersion, lastSegment: lastSegment, nextRef: head.nextRef,
            minValidTime: head.minValidTime)
        Frame.append(Record.checkpointHeader(header).encoded(), to: &bytes)
        for ref in head.series.keys.sorted() {
            let series = head.series[ref]!
            let record = Record.CheckpointSeries(
                ref: ref, labels: series.labels,
                chunks: series.chunks.map {
                    Record.ChunkRange(minTime: $0.minTime, maxTime: $0.maxTime, bytes: $0.bytes)
                },
                head: series.head.bytes)
            Frame.append(Record.checkpointSeries(record).encoded(), to: &bytes)
        }
        return bytes
    }

    /// Decodes a checkpoint file into a head and the last segment it covers.
    static func load(_ path: String) throws(TSDBError) -> (head: Head, lastSegment: Int) {
        let (payloads, damage) = Frame.split(try FileIO.read(path))
        if let (offset, reason) = damage {
            throw .corruptCheckpoint(path: path, detail: "\(reason) at byte \(offset)")
        }
        var head = Head()
        var header: Record.CheckpointHeader?
        for (offset, payload) in payloads {
            let record: Record
            do {
                record = try Record.decode(payload)
            } catch {
                throw .corruptCheckpoint(path: path, detail: "undecodable record at byte \(offset)")
            }
            switch record {
            case .checkpointHeader(let h) where header == nil:
                guard readableVersions.contains(h.formatVersion) else {
                    throw .corruptCheckpoint(
                        path: path,
                        detail: "unknown format version \(h.formatVersion); this llmwatch reads versions "
                            + "\(readableVersions.lowerBound) to \(readableVersions.upperBound), so a newer one wrote it"
                    )
                }
                header = h
                head.setMinValidTime(h.minValidTime)
                head.advanceNextRef(to: h.nextRef)
            case .checkpointSeries(let s) where header != nil:
                // Format 1 chunks are Prometheus XOR chunks without the encoding byte.
                let prefix: [UInt8] = header?.formatVersion == 1 ? [ChunkEncoding.prometheusXOR.rawValue] : []
                guard let open = try? Chunk(reopening: prefix + s.head), !open.isEmpty else {
                    throw .corruptCheckpoint(path: path, detail: "malformed head chunk of series \(s.labels)")
                }
                let chunks = s.chunks.map {
                    ChunkMeta(minTime: $0.minTime, maxTime: $0.maxTime, bytes: prefix + $0.bytes)
                }
                head.restore(MemSeries(ref: s.ref, labels: s.labels, chunks: chunks, head: open))
            default:
                throw .corruptCheckpoint(path: path, detail: "unexpected record at byte \(offset)")
            }
        }
        guard let header else { throw .corruptCheckpoint(path: path, detail: "no header record") }
        return (head, header.lastSegment)
    }
}
