/// Values held as exact decimals: `mantissa / 10^scale` for an integer mantissa, as VictoriaMetrics
/// stores them, so that counters, byte gauges and two-decimal readings cost the bits of their
/// changes rather than the bits of a float's XOR.
///
/// A value is held only when dividing its mantissa, as a `Double`, by `10^scale` gives back its
/// exact bit pattern; `-0.0`, NaNs (the stale marker among them), infinities and floats with more
/// digits than `maxScale` are not, and a decimal chunk escapes them to their raw 64 bits.
enum DecimalValues {
    /// The largest scale (decimal digits after the point) a chunk uses.
    static let maxScale = 18

    /// The largest mantissa magnitude: every integer up to it is exact as a `Double`, and the
    /// difference of two differences of mantissas stays below 2^56, so 6 bits always hold its width.
    static let maxMantissa: Int64 = 1 << 53

    /// `10^k` for `k` in `0...maxScale`, each exact as a `Double`.
    static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    ]

    /// The mantissa holding `value` exactly at `scale`, if there is one.
    @inline(__always)
    static func mantissa(of value: Double, scale: Int) -> Int64? {
        let scaled = value * powersOfTen[scale]
        // Also false for NaN and the infinities.
        guard scaled.magnitude <= Double(maxMantissa) else { return nil }
        let mantissa = Int64(scaled.rounded())
        return self.value(mantissa, scale: scale).bitPattern == value.bitPattern ? mantissa : nil
    }

    /// The value a mantissa stands for at `scale`.
    @inline(__always)
    static func value(_ mantissa: Int64, scale: Int) -> Double {
        // Dividing by 1 changes nothing; skipping it speeds up integers (counters, byte gauges).
        scale == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[scale]
    }

    /// The smallest scale at or above `from` that holds `value` exactly, with its mantissa.
    static func smallestScale(of value: Double, from: Int = 0) -> (scale: Int, mantissa: Int64)? {
        guard value.isFinite, from <= maxScale else { return nil }
        for scale in from...maxScale {
            if let mantissa = mantissa(of: value, scale: scale) { return (scale, mantissa) }
        }
        return nil
    }
}

/// How a decimal chunk codes each mantissa after the first: as its difference from the previous
/// mantissa (`delta`, best for gauges and noisy counters) or as the change in that difference
/// (`deltaOfDelta`, best for counters with a steady rate).
enum DecimalMode: UInt8, Sendable {
    case delta = 0
    case deltaOfDelta = 1
}

/// The variable-width code for mantissa differences: `0` for zero; `10` and the difference in the
/// current width (two's complement); `11`, 6 bits of a new width minus one, and the difference in
/// that width, which becomes current. Width code 63 is an escape: the next 64 bits are a value's
/// raw bit pattern and the mantissa state does not change.
///
/// The width adapts to the series (a gauge moving by hundredths needs 5 bits, a byte counter 20),
/// grows when a difference does not fit, and shrinks when a difference needs `shrinkSlack` fewer
/// bits than the current width.
struct MantissaCoder: Sendable {
    /// The width code that marks an escaped raw value.
    static let escapeCode: UInt64 = 63
    /// How many bits narrower than the current width a difference must be to start a new width.
    static let shrinkSlack = 6

    /// The current width in bits; 0 before the first width is written.
    var width = 0

    /// The number of bits a two's complement field needs for `value` (1 for -1 and 0).
    @inline(__always)
    static func bitsNeeded(_ value: Int64) -> Int {
        65 - (value ^ (value >> 63)).leadingZeroBitCount
    }

    /// Writes one difference.
    mutating func write(_ difference: Int64, to stream: inout BitWriter) {
        guard difference != 0 else {
            stream.writeBit(false)
            return
        }
        let needed = MantissaCoder.bitsNeeded(difference)
        if width != 0 && needed <= width && width - needed < MantissaCoder.shrinkSlack {
            stream.writeBits(0b10, count: 2)
            stream.writeBits(UInt64(bitPattern: difference), count: width)
            return
        }
        width = needed
        stream.writeBits(0b11, count: 2)
        stream.writeBits(UInt64(needed - 1), count: 6)
        stream.writeBits(UInt64(bitPattern: difference), count: needed)
    }

    /// Writes an escaped value's raw bits.
    func writeEscape(_ bits: UInt64, to stream: inout BitWriter) {
        stream.writeBits(0b11, count: 2)
        stream.writeBits(MantissaCoder.escapeCode, count: 6)
        stream.writeBits(bits, count: 64)
    }

    /// One decoded code: a mantissa difference or an escaped value's bits.
    enum Code {
        case difference(Int64)
        case escaped(UInt64)
    }

    /// Reads one code; nil where the stream ends or is malformed.
    mutating func read(from reader: inout BitReader) -> Code? {
        guard let nonzero = reader.readBit() else { return nil }
        guard nonzero else { return .difference(0) }
        guard let newWidth = reader.readBit() else { return nil }
        if newWidth {
            guard let code = reader.readBits(6) else { return nil }
            if code == MantissaCoder.escapeCode {
                return reader.readBits(64).map { .escaped($0) }
            }
            width = Int(code) + 1
        } else if width == 0 {
            return nil
        }
        guard let raw = reader.readBits(width) else { return nil }
        let shift = UInt64(64 - width)
        return .difference(Int64(bitPattern: raw << shift) >> Int64(shift))
    }
}
