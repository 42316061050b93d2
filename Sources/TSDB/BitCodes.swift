/// The delta-of-delta timestamp buckets of a chunk: `0` for a repeated delta, then `10`, `110` and
/// `1110` each followed by a signed field of its width, and `1111` followed by 64 bits.
///
/// A `w`-bit field holds `-(2^(w-1) - 1) ... 2^(w-1)`, as in Prometheus (whose widths are 14, 17
/// and 20 bits).
struct DeltaOfDeltaBuckets: Sendable {
    /// The widths of the `10`, `110` and `1110` buckets, narrowest first.
    let widths: (Int, Int, Int)

    /// Prometheus's XOR chunk buckets.
    static let prometheus = DeltaOfDeltaBuckets(widths: (14, 17, 20))

    /// llmwatch's buckets. A scrape a few milliseconds off its interval costs three non-zero
    /// delta-of-deltas (the offset, twice it back, the offset again), each within twice the offset.
    /// Measured on `StorageBenchmark` (scrapes up to 4 ms off), a first bucket of 4 bits
    /// (`-7 ... 8`) beats 3, 5, 6, 7 and 8 bits; 10 bits (`±511 ms`) for a loaded scraper's lag
    /// is judgement, since the benchmark never reaches that bucket; 20 bits as Prometheus.
    static let llmwatch = DeltaOfDeltaBuckets(widths: (4, 10, 20))

    /// Writes `dod` in the narrowest bucket that holds it.
    func write(_ dod: Int64, to stream: inout BitWriter) {
        if dod == 0 {
            stream.writeBit(false)
        } else if DeltaOfDeltaBuckets.fits(dod, bits: widths.0) {
            stream.writeBits(0b10, count: 2)
            stream.writeBits(UInt64(bitPattern: dod), count: widths.0)
        } else if DeltaOfDeltaBuckets.fits(dod, bits: widths.1) {
            stream.writeBits(0b110, count: 3)
            stream.writeBits(UInt64(bitPattern: dod), count: widths.1)
        } else if DeltaOfDeltaBuckets.fits(dod, bits: widths.2) {
            stream.writeBits(0b1110, count: 4)
            stream.writeBits(UInt64(bitPattern: dod), count: widths.2)
        } else {
            stream.writeBits(0b1111, count: 4)
            stream.writeBits(UInt64(bitPattern: dod), count: 64)
        }
    }

    /// Reads one delta-of-delta; nil where the stream ends.
    func read(from reader: inout BitReader) -> Int64? {
        var prefix = 0
        while prefix < 4 {
            guard let bit = reader.readBit() else { return nil }
            if !bit { break }
            prefix += 1
        }
        let width: Int
        switch prefix {
        case 0: return 0
        case 1: width = widths.0
        case 2: width = widths.1
        case 3: width = widths.2
        default: width = 64
        }
        guard let raw = reader.readBits(width) else { return nil }
        if width == 64 { return Int64(bitPattern: raw) }
        let half = UInt64(1) << UInt64(width - 1)
        return raw > half ? Int64(bitPattern: raw) - Int64(1) << Int64(width) : Int64(raw)
    }

    /// Whether `value` fits the `bits`-wide bucket: `-(2^(bits-1) - 1) ... 2^(bits-1)`, as Prometheus.
    static func fits(_ value: Int64, bits: Int) -> Bool {
        let half = Int64(1) << Int64(bits - 1)
        return value >= -(half - 1) && value <= half
    }
}

/// Gorilla's XOR value coding: each value XORed with the previous one, written as `0` when equal,
/// `10` and the meaningful bits when they fit the previous window of leading and trailing zeros,
/// else `11`, 5 bits of leading zeros, 6 bits of length (64 written as 0) and the meaningful bits.
struct XORValueCoder: Sendable {
    /// The leading-zero count that means no window has been written yet.
    static let noWindow: UInt8 = 0xff

    /// The bit pattern of the previous value.
    var previous: UInt64 = 0
    var leading: UInt8 = XORValueCoder.noWindow
    var trailing: UInt8 = 0

    /// Writes `bits` against the previous value and makes it the previous value.
    mutating func write(_ bits: UInt64, to stream: inout BitWriter) {
        let xor = bits ^ previous
        previous = bits
        guard xor != 0 else {
            stream.writeBit(false)
            return
        }
        stream.writeBit(true)
        // 5 bits hold at most 31 leading zeros; a longer run is written as 31 and the rest as data.
        let newLeading = UInt8(min(xor.leadingZeroBitCount, 31))
        let newTrailing = UInt8(xor.trailingZeroBitCount)
        if leading != XORValueCoder.noWindow && newLeading >= leading && newTrailing >= trailing {
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

    /// Reads the next value into `previous`; false where the stream ends or is malformed.
    mutating func read(from reader: inout BitReader) -> Bool {
        guard let changed = reader.readBit() else { return false }
        guard changed else { return true }
        guard let newWindow = reader.readBit() else { return false }
        if newWindow {
            guard let l = reader.readBits(5), let s = reader.readBits(6) else { return false }
            let significant = s == 0 ? 64 : Int(s)
            guard Int(l) + significant <= 64 else { return false }
            leading = UInt8(l)
            trailing = UInt8(64 - Int(l) - significant)
        } else if leading == XORValueCoder.noWindow {
            return false
        }
        let significant = 64 - Int(leading) - Int(trailing)
        guard let bits = reader.readBits(significant) else { return false }
        previous ^= bits << UInt64(trailing)
        return true
    }
}
