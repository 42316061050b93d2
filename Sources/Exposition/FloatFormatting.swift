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
        if value.magnitude >= 1e-4, value.magnitude < 1e6, let short = ShortDecimal(value.magnitude) {
            if value < 0 { append(UInt8(ascii: "-")) }
            short.append(into: &self)
            return
        }
        let digits = ShortestDecimal(PrintedDouble(value))
        if digits.count == 0 {
            append(UInt8(ascii: "0"))
            return
        }
        if digits.negative { append(UInt8(ascii: "-")) }
        if digits.exponent < -4 || digits.exponent >= 6 {
            digits.appendExponent(into: &self)
        } else {
            digits.appendFixed(into: &self)
        }
    }
}

/// The characters Swift prints for a `Double` (its shortest round-trip digits, as `description`
/// shows them), kept in a fixed 32-byte buffer: the standard library hands floating-point text to
/// `_writeASCII` as bytes, so no `String` is allocated.
public struct PrintedDouble: TextOutputStream {
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0

    /// The text of `value`.
    public init(_ value: Double) {
        value.write(to: &self)
    }

    /// Appends `string`'s bytes, up to the buffer's 32.
    public mutating func write(_ string: String) {
        for byte in string.utf8 { store(byte) }
    }

    /// Appends `buffer`, up to the buffer's 32 bytes.
    public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        let room = min(buffer.count, 32 - count)
        guard room > 0, let source = buffer.baseAddress else { return }
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress.map { ($0 + count).copyMemory(from: source, byteCount: room) }
        }
        count += room
    }

    private mutating func store(_ byte: UInt8) {
        guard count < 32 else { return }
        withUnsafeMutableBytes(of: &storage) { $0[count] = byte }
        count += 1
    }

    /// Calls `body` with the printed bytes.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }
}

/// A finite double's shortest round-trip decimal digits (those Swift prints, which are those Go's
/// `strconv.FormatFloat(v, fmt, -1, 64)` picks) and the place of the decimal point, laid out in
/// Go's fixed (`'f'`) and exponent (`'e'`) forms: the exposition writer chooses between them as
/// Go's `'g'` does, the query API's JSON as Prometheus's `jsonutil` does.
public struct ShortestDecimal {
    /// The significant digits in ASCII, without leading or trailing zeros.
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// How many significant digits there are; 0 for zero.
    public private(set) var count = 0
    /// Where the decimal point goes: the magnitude is 0.d1d2…dn × 10^point.
    public private(set) var point = 0
    /// Whether the value is negative.
    public private(set) var negative = false

    /// The decimal exponent of the first digit, as Go's `'e'` form writes it.
    public var exponent: Int { point - 1 }

    /// Reads the digits and point from the text Swift printed for a finite double.
    public init(_ printed: PrintedDouble) {
        printed.withBytes { source in
            withUnsafeMutableBytes(of: &storage) { digits in
                var integerDigits = 0
                var seenPoint = false
                var exponent = 0
                var exponentSign = 1
                var index = 0
                if index < source.count, source[index] == UInt8(ascii: "-") {
                    negative = true
                    index += 1
                }
                while index < source.count {
                    let byte = source[index]
                    index += 1
                    if byte == UInt8(ascii: ".") {
                        seenPoint = true
                    } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                        break
                    } else if byte >= 48, byte <= 57 {
                        if !seenPoint { integerDigits += 1 }
                        if count == 0, byte == UInt8(ascii: "0") {
                            // A leading zero is no significant digit: before the point it takes
                            // back the place just counted, after it it moves the point left.
                            integerDigits -= 1
                        } else if count < 32 {
                            digits[count] = byte
                            count += 1
                        }
                    }
                }
                while index < source.count {
                    let byte = source[index]
                    index += 1
                    if byte == UInt8(ascii: "-") {
                        exponentSign = -1
                    } else if byte >= 48, byte <= 57 {
                        exponent = exponent * 10 + Int(byte - 48)
                    }
                }
                while count > 0, digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
                point = integerDigits + exponentSign * exponent
            }
        }
    }

    /// Calls `body` with the significant digits.
    private func withDigits<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }

    /// Appends `d.ddde±XX` (Go's `'e'`: at least two exponent digits), without the sign.
    public func appendExponentForm(to bytes: inout [UInt8]) {
        appendExponent(into: &bytes)
    }

    /// Appends `ddd.ddd` (Go's `'f'`: exactly the digits needed), without the sign.
    public func appendFixedForm(to bytes: inout [UInt8]) {
        appendFixed(into: &bytes)
    }

    func appendExponent<Output: ByteOutput>(into output: inout Output) {
        withDigits { digits in
            output.append(digits[0])
            if digits.count > 1 {
                output.append(UInt8(ascii: "."))
                output.append(bytes: UnsafeBufferPointer(rebasing: digits[1...]))
            }
        }
        output.append(UInt8(ascii: "e"))
        output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        if exponent.magnitude < 10 { output.append(UInt8(ascii: "0")) }
        output.appendDecimal(UInt64(exponent.magnitude))
    }

    func appendFixed<Output: ByteOutput>(into output: inout Output) {
        withDigits { digits in
            if point <= 0 {
                output.append(UInt8(ascii: "0"))
            } else if point >= digits.count {
                output.append(bytes: digits)
                for _ in digits.count..<point { output.append(UInt8(ascii: "0")) }
                return
            } else {
                output.append(bytes: UnsafeBufferPointer(rebasing: digits[..<point]))
            }
            output.append(UInt8(ascii: "."))
            for _ in 0..<max(-point, 0) { output.append(UInt8(ascii: "0")) }
            output.append(bytes: UnsafeBufferPointer(rebasing: digits[max(point, 0)...]))
        }
    }
}

/// A positive double that is a short decimal fraction: `digits / 10^decimals` with at most four
/// decimals and fewer than 10^15 digits, found without printing, which is most gauges and rates.
///
/// Such a decimal is the double's shortest round-trip text: `Double(n) / 10^k` of two exactly
/// represented operands is rounded once, as parsing the text `n e-k` is, so the text reads back
/// to the double; and two decimals of at most 15 significant digits never read back to the same
/// double, so no shorter text does. The fewest decimals that work leave no trailing zero.
public struct ShortDecimal {
    /// The significant digits as an integer, not a multiple of 10.
    public let digits: UInt64
    /// How many of them follow the decimal point, 1 to 4.
    public let decimals: Int

    /// `magnitude` as a short decimal fraction, or nil when it is none (or an integer).
    public init?(_ magnitude: Double) {
        guard magnitude != magnitude.rounded(.towardZero) else { return nil }
        var scale = 1.0
        for decimals in 1...4 {
            scale *= 10
            let scaled = (magnitude * scale).rounded()
            guard scaled < 1e15 else { return nil }
            if scaled / scale == magnitude {
                digits = UInt64(scaled)
                self.decimals = decimals
                return
            }
        }
        return nil
    }

    /// Appends `ddd.dddd`.
    public func append(to bytes: inout [UInt8]) {
        append(into: &bytes)
    }

    func append<Output: ByteOutput>(into output: inout Output) {
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        output.appendDecimal(digits / divisor)
        output.append(UInt8(ascii: "."))
        var fraction = digits % divisor
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { text in
            for index in stride(from: decimals - 1, through: 0, by: -1) {
                text[index] = UInt8(truncatingIfNeeded: fraction % 10) &+ 48
                fraction /= 10
            }
            output.append(bytes: UnsafeBufferPointer(rebasing: text[0..<decimals]))
        }
    }
}
