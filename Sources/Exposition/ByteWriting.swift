/// Somewhere exposition text is written as bytes: a growable `[UInt8]` (label sets rendered
/// once) or a ``ByteSink`` (whole pages). The helpers below write names, escaped label values,
/// help text and integers directly as bytes; nothing goes through `String` formatting.
protocol ByteOutput {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends a run of bytes.
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension [UInt8]: ByteOutput {
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }
}

extension ByteOutput {
    /// Appends the bytes of a prerendered array.
    mutating func append(array: [UInt8]) {
        array.withUnsafeBufferPointer { append(bytes: $0) }
    }

    /// Appends the UTF-8 bytes of `text` unchanged.
    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(bytes: $0) }
    }

    /// Appends `name="value"`, escaping the value for either text format: a backslash, a double
    /// quote and a line feed become `\\`, `\"` and `\n`.
    mutating func appendLabel(name: String, value: String) {
        appendUTF8(name)
        append(UInt8(ascii: "="))
        append(UInt8(ascii: "\""))
        appendEscaped(value, escapingQuotes: true)
        append(UInt8(ascii: "\""))
    }

    /// Appends `text` with `\` and line feed escaped, and `"` too when `escapingQuotes` is set
    /// (label values in both formats, help text in OpenMetrics).
    mutating func appendEscaped(_ text: String, escapingQuotes: Bool) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                let replacement: UInt8
                switch byte {
                case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
                case UInt8(ascii: "\n"): replacement = UInt8(ascii: "n")
                case UInt8(ascii: "\"") where escapingQuotes: replacement = UInt8(ascii: "\"")
                default: continue
                }
                append(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                append(UInt8(ascii: "\\"))
                append(replacement)
                start = index + 1
            }
            append(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = value
            var start = 20
            while remaining > 0 {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: remaining % 10) &+ 48
                remaining /= 10
            }
            append(bytes: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Appends `value` in decimal, with a leading `-` when negative.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }
}

extension [UInt8] {
    /// Appends `value` in decimal ASCII digits.
    public mutating func appendDecimalDigits(_ value: UInt64) {
        appendDecimal(value)
    }
}
