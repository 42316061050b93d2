import Series

/// The records the WAL and checkpoints hold, and their encoding.
///
/// Every record starts with a type byte. Integers are Go-style varints; values are the 8
/// little-endian bytes of their bit pattern, so stale markers survive exactly.
enum Record: Equatable {
    /// Series created by a commit: their refs and labels. Logged before their first samples.
    case series([SeriesRecord])
    /// Samples appended by a commit, by series ref.
    case samples([RefSample])
    /// A checkpoint's opening record: what the head state it holds covers.
    case checkpointHeader(CheckpointHeader)
    /// One series of a checkpoint with all of its chunks; the last chunk is the open head chunk.
    case checkpointSeries(CheckpointSeries)

    /// A series ref and its labels.
    struct SeriesRecord: Equatable {
        var ref: SeriesRef
        var labels: Labels
    }

    /// One sample of a series known by ref.
    struct RefSample: Equatable {
        var ref: SeriesRef
        var timestamp: Int64
        var value: Double

        static func == (lhs: RefSample, rhs: RefSample) -> Bool {
            lhs.ref == rhs.ref && lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
        }
    }

    /// The head-wide state a checkpoint restores.
    struct CheckpointHeader: Equatable {
        var formatVersion: UInt64
        /// The newest WAL segment whose records the checkpoint includes.
        var lastSegment: Int
        var nextRef: SeriesRef
        var minValidTime: Int64
    }

    /// A series and its encoded chunks.
    struct CheckpointSeries: Equatable {
        var ref: SeriesRef
        var labels: Labels
        /// Closed chunks with their time ranges, oldest first.
        var chunks: [ChunkRange]
        /// The open head chunk's bytes.
        var head: [UInt8]
    }

    /// A closed chunk as written to a checkpoint.
    struct ChunkRange: Equatable {
        var minTime: Int64
        var maxTime: Int64
        var bytes: [UInt8]
    }

    private enum Kind: UInt8 {
        case series = 1
        case samples = 2
        case checkpointHeader = 10
        case checkpointSeries = 11
    }

    /// The record's bytes.
    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .series(let series):
            writer.byte(Kind.series.rawValue)
            writer.uvarint(UInt64(series.count))
            for s in series {
                writer.uvarint(s.ref)
                Record.write(s.labels, to: &writer)
            }
        case .samples(let samples):
            writer = ByteWriter(capacity: 4 + samples.count * 11)
            writer.byte(Kind.samples.rawValue)
            writer.uvarint(UInt64(samples.count))
            var ref: SeriesRef = 0
            var timestamp: Int64 = 0
            for s in samples {
                writer.varint(Int64(bitPattern: s.ref &- ref))
                writer.varint(s.timestamp &- timestamp)
                writer.uint64(s.value.bitPattern)
                ref = s.ref
                timestamp = s.timestamp
            }
        case .checkpointHeader(let header):
            writer.byte(Kind.checkpointHeader.rawValue)
            writer.uvarint(header.formatVersion)
            writer.uvarint(UInt64(header.lastSegment))
            writer.uvarint(header.nextRef)
            writer.varint(header.minValidTime)
        case .checkpointSeries(let series):
            writer.byte(Kind.checkpointSeries.rawValue)
            writer.uvarint(series.ref)
            Record.write(series.labels, to: &writer)
            writer.uvarint(UInt64(series.chunks.count))
            // Time ranges as deltas: each chunk's start from the previous chunk's end, its end
            // from its start. Wrapping arithmetic round-trips any range, even a malformed one.
            var previousEnd: Int64 = 0
            for chunk in series.chunks {
                writer.varint(chunk.minTime &- previousEnd)
                writer.varint(chunk.maxTime &- chunk.minTime)
                writer.lengthPrefixed(chunk.bytes)
                previousEnd = chunk.maxTime
            }
            writer.lengthPrefixed(series.head)
        }
        return writer.bytes
    }

    /// Decodes a record; throws `ByteReader.Malformed` on an unknown type or bad bytes.
    static func decode(_ bytes: [UInt8]) throws(ByteReader.Malformed) -> Record {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.byte()) else { throw ByteReader.Malformed() }
        let record: Record
        switch kind {
        case .series:
            let count = try reader.count(limit: bytes.count)
            var series: [SeriesRecord] = []
            series.reserveCapacity(count)
            for _ in 0..<count {
                let ref = try reader.uvarint()
                series.append(SeriesRecord(ref: ref, labels: try readLabels(&reader, limit: bytes.count)))
            }
            record = .series(series)
        case .samples:
            let count = try reader.count(limit: bytes.count / 10)
            var samples: [RefSample] = []
            samples.reserveCapacity(count)
            var ref: SeriesRef = 0
            var timestamp: Int64 = 0
            for _ in 0..<count {
                ref = ref &+ UInt64(bitPattern: try reader.varint())
                timestamp = timestamp &+ (try reader.varint())
                samples.append(
                    RefSample(ref: ref, timestamp: timestamp, value: Double(bitPattern: try reader.uint64())))
            }
            record = .samples(samples)
        case .checkpointHeader:
            let version = try reader.uvarint()
            let segment = try reader.count(limit: Int(Int32.max))
            let nextRef = try reader.uvarint()
            let minValidTime = try reader.varint()
            record = .checkpointHeader(
                CheckpointHeader(
                    formatVersion: version, lastSegment: segment, nextRef: nextRef, minValidTime: minValidTime))
        case .checkpointSeries:
            let ref = try reader.uvarint()
            let labels = try readLabels(&reader, limit: bytes.count)
            let count = try reader.count(limit: bytes.count)
            var chunks: [ChunkRange] = []
            chunks.reserveCapacity(count)
            var previousEnd: Int64 = 0
            for _ in 0..<count {
                let minTime = previousEnd &+ (try reader.varint())
                let maxTime = minTime &+ (try reader.varint())
                chunks.append(ChunkRange(minTime: minTime, maxTime: maxTime, bytes: try reader.lengthPrefixed()))
                previousEnd = maxTime
            }
            let head = try reader.lengthPrefixed()
            record = .checkpointSeries(CheckpointSeries(ref: ref, labels: labels, chunks: chunks, head: head))
        }
        guard reader.isAtEnd else { throw ByteReader.Malformed() }
        return record
    }

    private static func write(_ labels: Labels, to writer: inout ByteWriter) {
        writer.uvarint(UInt64(labels.count))
        for label in labels {
            writer.string(label.name)
            writer.string(label.value)
        }
    }

    private static func readLabels(_ reader: inout ByteReader, limit: Int) throws(ByteReader.Malformed) -> Labels {
        let count = try reader.count(limit: limit)
        var pairs: [Label] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.string()
            pairs.append(Label(name: name, value: try reader.string()))
        }
        return Labels(pairs)
    }
}
