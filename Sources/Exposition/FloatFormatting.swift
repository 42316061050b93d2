/// Sample values written the way Prometheus's client_golang writes them, so pages from llmwatch
/// and from Go exporters read alike: Go's `strconv.FormatFloat(v, 'g', -1, 64)` (shortest digits
/// that read back to the same value; exponent form when the decimal exponent is below -4 or at
/// least 6, with at least two exponent digits: `1e+06`, `1.5e-07`), `+Inf`, `-Inf`, `NaN`, and
/// `0` for negative zero. OpenMetrics adds `.0` to a number that shows neither `.` nor `e`.
extension ByteOutput {
    /// Appends `value` as a sample value or `le` bound in `format`.
    mutating func appendFloat(_ value: Double, format: ExpositionFormat) {
        // Integers below 1e6 are the common case (counts, small gauges): no digit search needed.
        if value.magnitude < 1e6, value == value.rounded(.towardZero) {
            appendDecimal(Int64(value))
            if format == .openMetrics {
                append(UInt8(ascii: "."))
                append(UInt8(ascii: "0"))
            }
            return
        }
        appendGeneralFloat(value)
    }

    /// The slow path of ``appendFloat(_:format:)``: non-integers, large numbers, and the special
    /// values. Takes the shortest round-trip digits that Swift prints for a `Double` (as
    /// `description` does, but without building a `String`) and lays them out in Go's `%g` shape.
    mutating func appendGeneralFloat(_ value: Double) {
        if value.isNaN {
            append(UInt8(ascii: "N"))
            append(UInt8(ascii: "a"))
            append(UInt8(ascii: "N"))
            return
        }
        if value.isInfinite {
            append(value < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            append(UInt8(ascii: "I"))
            append(UInt8(ascii: "n"))
            append(UInt8(ascii: "f"))
            return
        }
        var printed = PrintedDouble()
        value.write(to: &printed)
        printed.withBytes { source in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
                var count = 0
                var integerDigits = 0
                var seenPoint = false
                var exponent = 0
                var exponentSign = 1
                var index = 0
                var negative = false
                if index < source.count, source[index] == UInt8(ascii: "-") {
                    negative = true
                    index += 1
                }
                while index < source.count {
                    let byte = source[index]
                    if byte == UInt8(ascii: ".") {
                        seenPoint = true
                    } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                        index += 1
                        break
                    } else if byte >= 48, byte <= 57, count < 32 {
                        digits[count] = byte
                        count += 1
                        if !seenPoint { integerDigits += 1 }
                    }
                    index += 1
                }
                while index < source.count {
                    let byte = source[index]
                    if byte == UInt8(ascii: "-") {
                        exponentSign = -1
                    } else if byte >= 48, byte <= 57 {
                        exponent = exponent * 10 + Int(byte - 48)
                    }
                    index += 1
                }
                // Normalise to 0.d1d2...dn × 10^point with no leading or trailing zero digits.
                var first = 0
                while first < count, digits[first] == UInt8(ascii: "0") {
                    first += 1
                    integerDigits -= 1
                }
                while count > first, digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
                if first == count {
                    append(UInt8(ascii: "0"))
                    return
                }
                let significant = UnsafeBufferPointer(rebasing: digits[first..<count])
                let point = integerDigits + exponentSign * exponent
                if negative { append(UInt8(ascii: "-")) }
                let decimalExponent = point - 1
                if decimalExponent < -4 || decimalExponent >= 6 {
                    appendExponentForm(significant, exponent: decimalExponent)
                } else {
                    appendFixedForm(significant, point: point)
                }
            }
        }
    }

    /// `d.ddde±XX`, as Go's `%e` with the shortest digits.
    private mutating func appendExponentForm(_ digits: UnsafeBufferPointer<UInt8>, exponent: Int) {
        append(digits[0])
        if digits.count > 1 {
            append(UInt8(ascii: "."))
            append(bytes: UnsafeBufferPointer(rebasing: digits[1...]))
        }
        append(UInt8(ascii: "e"))
        append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let magnitude = exponent.magnitude
        if magnitude < 10 { append(UInt8(ascii: "0")) }
        appendDecimal(UInt64(magnitude))
    }

    /// `ddd.ddd`, as Go's `%f` with exactly the digits needed.
    private mutating func appendFixedForm(_ digits: UnsafeBufferPointer<UInt8>, point: Int) {
        if point <= 0 {
            append(UInt8(ascii: "0"))
        } else {
            for position in 0..<point {
                append(position < digits.count ? digits[position] : UInt8(ascii: "0"))
            }
        }
        let fraction = digits.count - point
        guard fraction > 0 else { return }
        append(UInt8(ascii: "."))
        for position in point..<(point + fraction) {
            append(position >= 0 ? digits[position] : UInt8(ascii: "0"))
        }
    }
}

/// Receives the characters Swift prints for a `Double` into a fixed 32-byte buffer. The standard
/// library hands floating-point text to `_writeASCII` as bytes, so no `String` is allocated;
/// `write(_:)` is the general path for any other text.
struct PrintedDouble: TextOutputStream {
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0

    mutating func write(_ string: String) {
        for byte in string.utf8 { store(byte) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        for byte in buffer { store(byte) }
    }

    private mutating func store(_ byte: UInt8) {
        guard count < 32 else { return }
        withUnsafeMutableBytes(of: &storage) { $0[count] = byte }
        count += 1
    }

    /// Calls `body` with the printed bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }
}
