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
        appendDecimal(magnitude / 1000, to: &bytes)
        let fraction = magnitude % 1000
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        if fraction < 100 { bytes.append(UInt8(ascii: "0")) }
        if fraction < 10 { bytes.append(UInt8(ascii: "0")) }
        appendDecimal(fraction, to: &bytes)
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
            appendDecimal(UInt64(magnitude), to: &bytes)
            return
        }
        var printed = PrintedDouble()
        magnitude.write(to: &printed)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        printed.withBytes { text in
            // Swift prints the shortest round-trip digits, in plain decimal ("0.25", "123.0")
            // from 1e-4 to 2^53, where Go's 'f' form is the same text without a trailing ".0".
            if !text.contains(UInt8(ascii: "e")), magnitude >= exponentBelow, magnitude < exponentFrom {
                var count = text.count
                if count >= 2, text[count - 1] == UInt8(ascii: "0"), text[count - 2] == UInt8(ascii: ".") {
                    count -= 2
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<count]))
                return
            }
            var digits = ShortestDigits()
            digits._writeASCII(text)
            digits.finish()
            if magnitude < exponentBelow || magnitude >= exponentFrom {
                digits.appendExponentForm(to: &bytes)
            } else {
                digits.appendFixedForm(to: &bytes)
            }
        }
    }

    static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for index in (24 - count)..<24 { bytes.append(buffer[index]) }
        }
    }
}

/// The text Swift prints for a double, kept in a fixed 32-byte buffer: the standard library hands
/// floating-point text to `_writeASCII` as bytes, so printing allocates nothing.
struct PrintedDouble: TextOutputStream {
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { _writeASCII($0) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        let room = min(buffer.count, 32 - count)
        guard room > 0, let source = buffer.baseAddress else { return }
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress.map { ($0 + count).copyMemory(from: source, byteCount: room) }
        }
        count += room
    }

    /// Calls `body` with the printed bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }
}

/// The significant digits and decimal exponent of a positive double, read from the text Swift
/// prints for it (Swift prints the shortest digits that round-trip, as Go's `-1` precision asks).
/// The standard library hands that text to `_writeASCII` as bytes, so nothing is allocated.
struct ShortestDigits: TextOutputStream {
    /// Up to 17 significant digits, as ASCII, without leading or trailing zeros.
    private var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0
    /// Where the decimal point goes: the value is 0.d1d2d3... × 10^point.
    private var point = 0
    private var seenPoint = false
    private var inExponent = false
    private var exponentNegative = false
    private var exponent = 0
    private var integerDigits = 0

    mutating func write(_ string: String) {
        for byte in string.utf8 { consume(byte) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        for byte in buffer { consume(byte) }
    }

    private mutating func consume(_ byte: UInt8) {
        if inExponent {
            if byte == UInt8(ascii: "-") {
                exponentNegative = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return
        }
        switch byte {
        case UInt8(ascii: "."):
            seenPoint = true
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            inExponent = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if !seenPoint { integerDigits += 1 }
            if byte == UInt8(ascii: "0"), count == 0 {
                // A leading zero is no significant digit: before the point it takes back the place
                // just counted, after it each one moves the point one place left.
                integerDigits -= 1
                return
            }
            guard count < 32 else { return }
            withUnsafeMutableBytes(of: &digits) { $0[count] = byte }
            count += 1
        default:
            break
        }
    }

    /// Drops trailing zeros and fixes the point once the text is read.
    mutating func finish() {
        while count > 1, digit(count - 1) == UInt8(ascii: "0") { count -= 1 }
        point = integerDigits + (exponentNegative ? -exponent : exponent)
    }

    private func digit(_ index: Int) -> UInt8 {
        withUnsafeBytes(of: digits) { $0[index] }
    }

    /// `ddd.ddd` with exactly the digits needed.
    func appendFixedForm(to bytes: inout [UInt8]) {
        if point <= 0 {
            bytes.append(UInt8(ascii: "0"))
        } else {
            for position in 0..<point {
                bytes.append(position < count ? digit(position) : UInt8(ascii: "0"))
            }
        }
        guard count > point else { return }
        bytes.append(UInt8(ascii: "."))
        if point < 0 {
            for _ in 0..<(-point) { bytes.append(UInt8(ascii: "0")) }
        }
        for position in max(point, 0)..<count { bytes.append(digit(position)) }
    }

    /// `d.ddde±XX`, at least two exponent digits.
    func appendExponentForm(to bytes: inout [UInt8]) {
        bytes.append(digit(0))
        if count > 1 {
            bytes.append(UInt8(ascii: "."))
            for position in 1..<count { bytes.append(digit(position)) }
        }
        let decimalExponent = point - 1
        bytes.append(UInt8(ascii: "e"))
        bytes.append(decimalExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        if decimalExponent.magnitude < 10 { bytes.append(UInt8(ascii: "0")) }
        PrometheusNumber.appendDecimal(UInt64(decimalExponent.magnitude), to: &bytes)
    }
}
