import Series

/// Decodes the samples of an `XORChunk` in timestamp order.
///
/// A truncated or malformed stream ends the iteration early and sets `isMalformed`; it never traps.
public struct XORIterator: Sendable {
    private var reader: BitReader
    private let total: Int
    private var index = 0
    private var timestamp: Int64 = 0
    private var firstTimestamp: Int64 = 0
    private var delta: UInt64 = 0
    private var values = XORValueCoder()
    /// Whether decoding stopped before the count in the chunk header.
    public private(set) var isMalformed = false

    /// Starts before the first sample of the chunk `bytes`.
    public init(bytes: [UInt8]) {
        if bytes.count >= 2 {
            total = Int(bytes[0]) << 8 | Int(bytes[1])
        } else {
            total = 0
            isMalformed = true
        }
        reader = BitReader(bytes: bytes, offset: 2)
    }

    /// The number of samples the chunk header announces.
    public var count: Int { total }

    /// How many bytes the header and the samples decoded so far occupy, padding included.
    var consumedBytes: Int { (reader.consumedBits + 7) / 8 }

    /// The next sample, or nil at the end of the chunk (or where a malformed stream stops).
    public mutating func next() -> Sample? {
        guard index < total, !isMalformed else { return nil }
        guard decode() else {
            isMalformed = true
            return nil
        }
        index += 1
        return Sample(timestamp: timestamp, value: Double(bitPattern: values.previous))
    }

    private mutating func decode() -> Bool {
        switch index {
        case 0:
            guard let t = reader.readVarint(), let v = reader.readBits(64) else { return false }
            timestamp = t
            firstTimestamp = t
            values.previous = v
            return true
        case 1:
            guard let d = reader.readUvarint() else { return false }
            delta = d
        default:
            guard let dod = DeltaOfDeltaBuckets.prometheus.read(from: &reader) else { return false }
            delta = delta &+ UInt64(bitPattern: dod)
        }
        timestamp = timestamp &+ Int64(bitPattern: delta)
        return values.read(from: &reader)
    }

    /// The state an appender needs to continue the chunk, once every sample has been read.
    var appenderState: AppenderState? {
        guard index == total, !isMalformed, total > 0 else {
            return total == 0 && !isMalformed ? AppenderState.empty : nil
        }
        let used = reader.consumedBits & 7
        return AppenderState(
            count: total, minTime: firstTimestamp, maxTime: timestamp, lastDelta: delta, values: values,
            usedBitsInLastByte: used == 0 ? 8 : used,
            byteCount: (reader.consumedBits + 7) / 8)
    }

    /// What `XORChunk` needs to resume appending to decoded bytes.
    struct AppenderState {
        var count: Int
        var minTime: Int64
        var maxTime: Int64
        var lastDelta: UInt64
        var values: XORValueCoder
        var usedBitsInLastByte: Int
        /// How many bytes the header and the decoded stream occupy.
        var byteCount: Int

        static let empty = AppenderState(
            count: 0, minTime: 0, maxTime: 0, lastDelta: 0, values: XORValueCoder(), usedBitsInLastByte: 8,
            byteCount: 2)
    }
}
