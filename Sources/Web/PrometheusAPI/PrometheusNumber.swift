import Exposition

/// Sample values and timestamps as Prometheus's query API writes them (`util/jsonutil`).
///
/// A value is a JSON string holding Go's `strconv.FormatFloat(v, 'f', -1, 64)` (the shortest
/// digits that read back to the same double, never an exponent) unless its magnitude is below
/// 1e-6 or at least 1e21, where the `'e'` form is used (`1e-07`, `1.5e+21`); the special values
/// are `NaN`, `+Inf` and `-Inf`, and negative zero is `-0`. A timestamp is a JSON number of Unix
/// seconds with exactly the milliseconds it has: `1.5` is written `1.500`, `2000` ms is `2`.
public enum PrometheusNumber {
    /// The text of a sample value, without quotes.
    public static func value(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of a timestamp given in milliseconds.
    public static func timestamp(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendTimestamp(milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the text of a sample value, without quotes.
    public static func appendValue(_ value: Double, to bytes: inout [UInt8]) {
        if value.isNaN {
            bytes.append(contentsOf: [0x4E, 0x61, 0x4E])
        } else if value.isInfinite {
            bytes.append(value < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            bytes.append(contentsOf: [0x49, 0x6E, 0x66])
        } else {
            append(value, to: &bytes, exponentBelow: 1e-6, exponentFrom: 1e21)
        }
    }

    /// Appends a timestamp in seconds with its milliseconds, as `jsonutil.MarshalTimestamp` does.
    public static func appendTimestamp(_ milliseconds: Int64, to bytes: inout [UInt8]) {
        let magnitude = milliseconds.magnitude
        if milliseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.appendDecimalDigits(magnitude / 1000)
        let fraction = magnitude % 1000
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        if fraction < 100 { bytes.append(UInt8(ascii: "0")) }
        if fraction < 10 { bytes.append(UInt8(ascii: "0")) }
        bytes.appendDecimalDigits(fraction)
    }

    /// Appends a finite `value` with the shortest round-trip digits: plain decimal when
    /// `exponentBelow <= |value| < exponentFrom` (or zero), else `d.ddde±XX`.
    static func append(_ value: Double, to bytes: inout [UInt8], exponentBelow: Double, exponentFrom: Double) {
        if value == 0 {
            if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            bytes.append(UInt8(ascii: "0"))
            return
        }
        let magnitude = value.magnitude
        // Integers below 2^53 print exactly as their digits: the common case for counters.
        if magnitude < 9_007_199_254_740_992, magnitude >= 1, magnitude == magnitude.rounded(.towardZero),
            magnitude < exponentFrom
        {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.appendDecimalDigits(UInt64(magnitude))
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        if magnitude >= exponentBelow, magnitude < exponentFrom, let short = ShortDecimal(magnitude) {
            short.append(to: &bytes)
            return
        }
        let digits = ShortestDecimal(PrintedDouble(magnitude))
        if magnitude < exponentBelow || magnitude >= exponentFrom {
            digits.appendExponentForm(to: &bytes)
        } else {
            digits.appendFixedForm(to: &bytes)
        }
    }
}
