import Series

/// A chunk of float samples compressed as in the Gorilla paper, laid out as Prometheus's XOR chunk.
///
/// The store no longer writes it (it writes `Chunk`). `XORIterator` reads format 1 checkpoints'
/// chunks (as `ChunkEncoding.prometheusXOR`); this encoder is checked byte for byte against chunks
/// Prometheus wrote and measures Prometheus's codec on the same samples in `CompressionBenchmark`.
///
/// Layout: a 2-byte big-endian sample count, then a bit stream. The first sample is a varint
/// timestamp and the 64 raw bits of the value; the second timestamp is a uvarint delta. Later
/// timestamps are delta-of-deltas in buckets `0` (same delta), `10`+14 bits, `110`+17 bits,
/// `1110`+20 bits and `1111`+64 bits (Prometheus's millisecond variant of Gorilla's buckets).
/// Each value after the first is XORed with the previous one (`XORValueCoder`). Values are kept as
/// bit patterns, so NaN payloads (the stale marker) survive exactly.
///
/// Timestamps must be appended in increasing order; `Head` enforces that before appending.
public struct XORChunk: Sendable {
    /// The number of samples after which the head cuts a new chunk, as Prometheus does.
    public static let targetSamples = 120

    private var stream: BitWriter
    /// The number of samples in the chunk.
    public private(set) var count: Int = 0
    /// The timestamp of the first sample (milliseconds); meaningless while empty.
    public private(set) var minTime: Int64 = 0
    /// The timestamp of the last sample (milliseconds); meaningless while empty.
    public private(set) var maxTime: Int64 = 0
    private var lastDelta: UInt64 = 0
    private var values = XORValueCoder()

    /// Creates an empty chunk.
    public init() {
        stream = BitWriter(prefix: [0, 0])
    }

    /// Reopens encoded chunk bytes for appending, decoding them to recover the appender's state.
    ///
    /// Throws `ChunkError.malformed` when the bytes do not decode to the count in their header.
    public init(bytes: [UInt8]) throws(ChunkError) {
        var iterator = XORIterator(bytes: bytes)
        while iterator.next() != nil {}
        guard let state = iterator.appenderState, state.byteCount == bytes.count else { throw ChunkError.malformed }
        stream = BitWriter(bytes: bytes, usedBitsInLastByte: state.usedBitsInLastByte)
        count = state.count
        minTime = state.minTime
        maxTime = state.maxTime
        lastDelta = state.lastDelta
        values = state.values
    }

    /// The encoded chunk: the count header and the bit stream, padded to whole bytes.
    public var bytes: [UInt8] { stream.bytes }

    /// Whether the chunk holds no samples.
    public var isEmpty: Bool { count == 0 }

    /// The value of the last sample; meaningless while empty.
    public var lastValue: Double { Double(bitPattern: values.previous) }

    /// Whether the count header has room for another sample.
    public var isFull: Bool { count >= Int(UInt16.max) }

    /// Appends a sample whose timestamp is greater than `maxTime`; returns false when the chunk is full.
    @discardableResult
    public mutating func append(timestamp: Int64, value: Double) -> Bool {
        guard !isFull else { return false }
        let bits = value.bitPattern
        switch count {
        case 0:
            var varint: [UInt8] = []
            ByteWriter.appendVarint(timestamp, to: &varint)
            stream.writeBytes(varint)
            stream.writeBits(bits, count: 64)
            values.previous = bits
            minTime = timestamp
        case 1:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            var uvarint: [UInt8] = []
            ByteWriter.appendUvarint(delta, to: &uvarint)
            stream.writeBytes(uvarint)
            values.write(bits, to: &stream)
            lastDelta = delta
        default:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            DeltaOfDeltaBuckets.prometheus.write(Int64(bitPattern: delta &- lastDelta), to: &stream)
            values.write(bits, to: &stream)
            lastDelta = delta
        }
        maxTime = timestamp
        count += 1
        stream.setByte(0, to: UInt8(truncatingIfNeeded: count >> 8))
        stream.setByte(1, to: UInt8(truncatingIfNeeded: count))
        return true
    }

    /// An iterator over the chunk's samples in timestamp order.
    public func makeIterator() -> XORIterator {
        XORIterator(bytes: bytes)
    }
}

/// Errors reading stored chunks.
public enum ChunkError: Error, Equatable, CustomStringConvertible {
    /// The bytes do not decode to a valid chunk.
    case malformed

    /// Describes the failure.
    public var description: String {
        "malformed chunk: unknown encoding byte, or the bit stream does not hold the sample count in its header"
    }
}
