import Series

/// A chunk of float samples compressed as in the Gorilla paper, laid out as Prometheus's XOR chunk.
///
/// Layout: a 2-byte big-endian sample count, then a bit stream. The first sample is a varint
/// timestamp and the 64 raw bits of the value; the second timestamp is a uvarint delta. Later
/// timestamps are delta-of-deltas in buckets `0` (same delta), `10`+14 bits, `110`+17 bits,
/// `1110`+20 bits and `1111`+64 bits (Prometheus's millisecond variant of Gorilla's buckets).
/// Each value after the first is XORed with the previous one: `0` when equal, `10` and the
/// meaningful bits when they fit the previous window of leading and trailing zeros, else `11`,
/// 5 bits of leading zeros, 6 bits of length (64 written as 0) and the meaningful bits. Values are
/// kept as bit patterns, so NaN payloads (the stale marker) survive exactly.
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
    private var lastValueBits: UInt64 = 0
    private var lastDelta: UInt64 = 0
    private var leading: UInt8 = XORChunk.noWindow
    private var trailing: UInt8 = 0

    /// The leading-zero count that means no XOR window has been written yet.
    static let noWindow: UInt8 = 0xff

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
        lastValueBits = state.lastValueBits
        lastDelta = state.lastDelta
        leading = state.leading
        trailing = state.trailing
    }

    /// The encoded chunk: the count header and the bit stream, padded to whole bytes.
    public var bytes: [UInt8] { stream.bytes }

    /// Whether the chunk holds no samples.
    public var isEmpty: Bool { count == 0 }

    /// The value of the last sample; meaningless while empty.
    public var lastValue: Double { Double(bitPattern: lastValueBits) }

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
            minTime = timestamp
        case 1:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            var uvarint: [UInt8] = []
            ByteWriter.appendUvarint(delta, to: &uvarint)
            stream.writeBytes(uvarint)
            writeValue(bits)
            lastDelta = delta
        default:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            writeDeltaOfDelta(Int64(bitPattern: delta &- lastDelta))
            writeValue(bits)
            lastDelta = delta
        }
        maxTime = timestamp
        lastValueBits = bits
        count += 1
        stream.setByte(0, to: UInt8(truncatingIfNeeded: count >> 8))
        stream.setByte(1, to: UInt8(truncatingIfNeeded: count))
        return true
    }

    /// An iterator over the chunk's samples in timestamp order.
    public func makeIterator() -> XORIterator {
        XORIterator(bytes: bytes)
    }

    private mutating func writeDeltaOfDelta(_ dod: Int64) {
        if dod == 0 {
            stream.writeBit(false)
        } else if XORChunk.fits(dod, bits: 14) {
            stream.writeBits(0b10, count: 2)
            stream.writeBits(UInt64(bitPattern: dod), count: 14)
        } else if XORChunk.fits(dod, bits: 17) {
            stream.writeBits(0b110, count: 3)
            stream.writeBits(UInt64(bitPattern: dod), count: 17)
        } else if XORChunk.fits(dod, bits: 20) {
            stream.writeBits(0b1110, count: 4)
            stream.writeBits(UInt64(bitPattern: dod), count: 20)
        } else {
            stream.writeBits(0b1111, count: 4)
            stream.writeBits(UInt64(bitPattern: dod), count: 64)
        }
    }

    private mutating func writeValue(_ bits: UInt64) {
        let xor = bits ^ lastValueBits
        guard xor != 0 else {
            stream.writeBit(false)
            return
        }
        stream.writeBit(true)
        // 5 bits hold at most 31 leading zeros; a longer run is written as 31 and the rest as data.
        let newLeading = UInt8(min(xor.leadingZeroBitCount, 31))
        let newTrailing = UInt8(xor.trailingZeroBitCount)
        if leading != XORChunk.noWindow && newLeading >= leading && newTrailing >= trailing {
            stream.writeBit(false)
            stream.writeBits(xor >> UInt64(trailing), count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = newLeading
        trailing = newTrailing
        let significant = 64 - Int(leading) - Int(trailing)
        stream.writeBit(true)
        stream.writeBits(UInt64(leading), count: 5)
        stream.writeBits(UInt64(significant & 63), count: 6)
        stream.writeBits(xor >> UInt64(trailing), count: significant)
    }

    /// Whether `value` fits the `bits`-wide bucket: `-(2^(bits-1) - 1) ... 2^(bits-1)`, as Prometheus.
    static func fits(_ value: Int64, bits: Int) -> Bool {
        let half = Int64(1) << Int64(bits - 1)
        return value >= -(half - 1) && value <= half
    }
}

/// Errors reading stored chunks.
public enum ChunkError: Error, Equatable, CustomStringConvertible {
    /// The bytes do not decode to a valid XOR chunk.
    case malformed

    /// Describes the failure.
    public var description: String {
        "malformed XOR chunk: the bit stream does not hold the sample count in its header"
    }
}
