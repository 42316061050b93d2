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
    private var valueBits: UInt64 = 0
    private var delta: UInt64 = 0
    private var leading: UInt8 = XORChunk.noWindow
    private var trailing: UInt8 = 0
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

    /// The next sample, or nil at the end of the chunk (or where a malformed stream stops).
    public mutating func next() -> Sample? {
        guard index < total, !isMalformed else { return nil }
        guard decode() else {
            isMalformed = true
            return nil
        }
        index += 1
        return Sample(timestamp: timestamp, value: Double(bitPattern: valueBits))
    }

    private mutating func decode() -> Bool {
        switch index {
        case 0:
            guard let t = reader.readVarint(), let v = reader.readBits(64) else { return false }
            timestamp = t
            firstTimestamp = t
            valueBits = v
            return true
        case 1:
            guard let d = reader.readUvarint() else { return false }
            delta = d
        default:
            guard let dod = readDeltaOfDelta() else { return false }
            delta = delta &+ UInt64(bitPattern: dod)
        }
        timestamp = timestamp &+ Int64(bitPattern: delta)
        return readValue()
    }

    private mutating func readDeltaOfDelta() -> Int64? {
        var prefix = 0
        while prefix < 4 {
            guard let bit = reader.readBit() else { return nil }
            if !bit { break }
            prefix += 1
        }
        let width: Int
        switch prefix {
        case 0: return 0
        case 1: width = 14
        case 2: width = 17
        case 3: width = 20
        default: width = 64
        }
        guard let raw = reader.readBits(width) else { return nil }
        if width == 64 { return Int64(bitPattern: raw) }
        let half = UInt64(1) << UInt64(width - 1)
        return raw > half ? Int64(bitPattern: raw) - Int64(1) << Int64(width) : Int64(raw)
    }

    private mutating func readValue() -> Bool {
        guard let changed = reader.readBit() else { return false }
        guard changed else { return true }
        guard let newWindow = reader.readBit() else { return false }
        if newWindow {
            guard let l = reader.readBits(5), let s = reader.readBits(6) else { return false }
            let significant = s == 0 ? 64 : Int(s)
            guard Int(l) + significant <= 64 else { return false }
            leading = UInt8(l)
            trailing = UInt8(64 - Int(l) - significant)
        } else if leading == XORChunk.noWindow {
            return false
        }
        let significant = 64 - Int(leading) - Int(trailing)
        guard let bits = reader.readBits(significant) else { return false }
        valueBits ^= bits << UInt64(trailing)
        return true
    }

    /// The state an appender needs to continue the chunk, once every sample has been read.
    var appenderState: AppenderState? {
        guard index == total, !isMalformed, total > 0 else {
            return total == 0 && !isMalformed ? AppenderState.empty : nil
        }
        let used = reader.consumedBits & 7
        return AppenderState(
            count: total, minTime: firstTimestamp, maxTime: timestamp, lastValueBits: valueBits,
            lastDelta: delta, leading: leading, trailing: trailing, usedBitsInLastByte: used == 0 ? 8 : used,
            byteCount: (reader.consumedBits + 7) / 8)
    }

    /// What `XORChunk` needs to resume appending to decoded bytes.
    struct AppenderState {
        var count: Int
        var minTime: Int64
        var maxTime: Int64
        var lastValueBits: UInt64
        var lastDelta: UInt64
        var leading: UInt8
        var trailing: UInt8
        var usedBitsInLastByte: Int
        /// How many bytes the header and the decoded stream occupy.
        var byteCount: Int

        static let empty = AppenderState(
            count: 0, minTime: 0, maxTime: 0, lastValueBits: 0, lastDelta: 0, leading: XORChunk.noWindow,
            trailing: 0, usedBitsInLastByte: 8, byteCount: 2)
    }
}
