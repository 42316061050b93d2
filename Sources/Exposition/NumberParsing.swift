#if canImport(Glibc)
    import Glibc

    /// The C locale, in force around `strtod` so that reading `1.5` never depends on the
    /// process's LC_NUMERIC. Created once and never changed.
    private nonisolated(unsafe) let cNumericLocale: locale_t? = newlocale(LC_NUMERIC_MASK, "C", nil)
#endif

/// Sample values and timestamps read from bytes without building a `String` in the common cases.
enum NumberParsing {
    /// A sample value as Go's `strconv.ParseFloat` reads it: decimal or exponent notation, and
    /// `NaN`, `Inf`, `+Inf`, `-Inf` in any case. Returns nil for anything else.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty else { return nil }
        // Integers of up to 15 digits are exact in a Double: the common case for counts.
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative || bytes[index] == UInt8(ascii: "+") { index += 1 }
        let digitsStart = index
        var integer: Int64 = 0
        while index < range.upperBound, index - digitsStart < 15 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            integer = integer * 10 + Int64(digit)
            index += 1
        }
        if index == range.upperBound, index > digitsStart {
            return negative ? -Double(integer) : Double(integer)
        }
        return slowDouble(bytes, range)
    }

    private static func slowDouble(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        // Only characters a Go float can contain; this also keeps out strtod's extras
        // (`nan(...)`, leading spaces) that Go refuses.
        for index in range {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "p"),
                UInt8(ascii: "P"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"),
                UInt8(ascii: "i"), UInt8(ascii: "I"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
                UInt8(ascii: "T"), UInt8(ascii: "y"), UInt8(ascii: "Y"):
                continue
            default:
                return nil
            }
        }
        #if canImport(Glibc)
            if range.count <= 64, let locale = cNumericLocale {
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { text -> Double? in
                    guard let start = text.baseAddress else { return nil }
                    for (offset, index) in range.enumerated() {
                        text[offset] = CChar(bitPattern: bytes[index])
                    }
                    text[range.count] = 0
                    var end: UnsafeMutablePointer<CChar>?
                    // The C locale for this thread during the call only.
                    let previous = uselocale(locale)
                    let value = strtod(start, &end)
                    uselocale(previous)
                    return end == start + range.count ? value : nil
                }
            }
        #endif
        // Short texts are stored inline in a String; longer ones cost an allocation.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        return Double(text)
    }

    /// A decimal integer with an optional sign, or nil when it is not one or overflows.
    static func int64(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty else { return nil }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative || bytes[index] == UInt8(ascii: "+") { index += 1 }
        guard index < range.upperBound else { return nil }
        var magnitude: UInt64 = 0
        while index < range.upperBound {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// An OpenMetrics timestamp (seconds, possibly fractional) in milliseconds, or nil when it
    /// is not a number or does not fit.
    static func openMetricsTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard let seconds = double(bytes, range), seconds.isFinite else { return nil }
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds > -9.2e18, milliseconds < 9.2e18 else { return nil }
        return Int64(milliseconds)
    }
}
