import Testing

@testable import Exposition

@Suite("Float formatting as client_golang writes it")
struct FloatFormattingTests {
    /// Expected strings are what Go's `strconv.FormatFloat(v, 'g', -1, 64)` prints, and
    /// client_golang's OpenMetrics variant (`.0` added to plain integers).
    static let cases: [(value: Double, text004: String, openMetrics: String)] = [
        (0, "0", "0.0"),
        (-0.0, "0", "0.0"),
        (1, "1", "1.0"),
        (-1, "-1", "-1.0"),
        (42, "42", "42.0"),
        (999_999, "999999", "999999.0"),
        (1_000_000, "1e+06", "1e+06"),
        (1_234_567, "1.234567e+06", "1.234567e+06"),
        (123_456_789, "1.23456789e+08", "1.23456789e+08"),
        (1.7e9, "1.7e+09", "1.7e+09"),
        (0.5, "0.5", "0.5"),
        (0.005, "0.005", "0.005"),
        (0.0001, "0.0001", "0.0001"),
        (0.00001, "1e-05", "1e-05"),
        (1.5e-7, "1.5e-07", "1.5e-07"),
        (0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"),
        (123456.5, "123456.5", "123456.5"),
        (-2.5, "-2.5", "-2.5"),
        (14186.3, "14186.3", "14186.3"),
        (1e21, "1e+21", "1e+21"),
        (1.5e300, "1.5e+300", "1.5e+300"),
        (Double.leastNonzeroMagnitude, "5e-324", "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308", "1.7976931348623157e+308"),
        (9_007_199_254_740_992, "9.007199254740992e+15", "9.007199254740992e+15"),
        (.infinity, "+Inf", "+Inf"),
        (-.infinity, "-Inf", "-Inf"),
        (.nan, "NaN", "NaN"),
    ]

    @Test(arguments: cases)
    func formats(value: Double, text004: String, openMetrics: String) {
        var bytes: [UInt8] = []
        bytes.appendFloat(value, format: .text004)
        #expect(String(decoding: bytes, as: UTF8.self) == text004)
        bytes = []
        bytes.appendFloat(value, format: .openMetrics)
        #expect(String(decoding: bytes, as: UTF8.self) == openMetrics)
    }

    /// Any finite value reads back exactly, with no more significant digits than Swift's own
    /// shortest form.
    @Test func roundTripsRandomValues() throws {
        var generator = SplitMix64(seed: 7)
        for index in 0..<20_000 {
            let value =
                index % 2 == 0
                ? Double(bitPattern: generator.next())
                : Double(Int64(bitPattern: generator.next()) % 1_000_000_000) / 1000
            guard value.isFinite else { continue }
            var bytes: [UInt8] = []
            bytes.appendFloat(value, format: .text004)
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = try #require(Double(text), "\(text)")
            #expect(parsed == value, "\(value) written as \(text)")
            #expect(Self.significantDigits(text) <= Self.significantDigits(value.description), "\(text)")
        }
    }

    /// Short decimal fractions, found without printing, come out exactly as the digits of
    /// Swift's shortest text laid out in Go's fixed form; other values are not taken for one.
    @Test func shortDecimalsAreTheShortestText() throws {
        /// Whether `short`'s text is Swift's shortest digits in the fixed form.
        func isShortest(_ short: ShortDecimal, _ value: Double) {
            var fast: [UInt8] = []
            short.append(to: &fast)
            var printed: [UInt8] = []
            ShortestDecimal(PrintedDouble(value)).appendFixedForm(to: &printed)
            #expect(fast == printed, "\(value)")
        }
        var generator = SplitMix64(seed: 11)
        let scales: [Double] = [10, 100, 1000, 10000]
        for index in 0..<40_000 {
            let decimals = index % 4
            let value = Double(generator.next() % 100_000_000_000) / scales[decimals]
            guard value != value.rounded() else { continue }
            isShortest(try #require(ShortDecimal(value), "\(value)"), value)
        }
        for _ in 0..<40_000 {
            let value = Double(generator.next() % 1_000_000_007) / 997
            if let short = ShortDecimal(value) { isShortest(short, value) }
        }
        #expect(ShortDecimal(0.1 + 0.2) == nil)
        #expect(ShortDecimal(1.0 / 3) == nil)
    }

    private static func significantDigits(_ text: String) -> Int {
        let mantissa = text.split(separator: "e").first ?? ""
        let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }
        return digits.reversed().drop { $0 == "0" }.count
    }

    @Test(arguments: [0, 7, 10, 99, 100, 12345, UInt64.max])
    func formatsIntegers(value: UInt64) {
        var bytes: [UInt8] = []
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }

    @Test func formatsNegativeIntegers() {
        var bytes: [UInt8] = []
        bytes.appendDecimal(Int64.min)
        #expect(String(decoding: bytes, as: UTF8.self) == String(Int64.min))
    }
}
