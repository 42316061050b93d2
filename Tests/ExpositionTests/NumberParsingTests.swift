import Testing

@testable import Exposition

@Suite("Sample values and timestamps")
struct NumberParsingTests {
    static let values: [(text: String, value: Double?)] = [
        ("0", 0), ("-0", 0), ("+7", 7), ("123456789012345", 123_456_789_012_345),
        ("1234567890123456789", 1_234_567_890_123_456_789), ("1.5", 1.5), ("-2.5e-3", -0.0025),
        ("123.45000000000002", 123.45000000000002), ("1.7976931348623157e+308", .greatestFiniteMagnitude),
        ("0.30000000000000004", 0.30000000000000004), ("+Inf", .infinity), ("-Inf", -.infinity),
        ("inf", .infinity), ("NaN", .nan), ("1e400", .infinity),
        ("", nil), ("-", nil), ("+", nil), ("1.2.3", nil), ("abc", nil), ("nan(1)", nil), ("1,5", nil),
        ("0x", nil), ("1e", nil), (String(repeating: "9", count: 80), 1e80),
    ]

    @Test(arguments: values)
    func readsValues(text: String, value: Double?) {
        let bytes = Array(text.utf8)
        let parsed = bytes.withUnsafeBufferPointer { NumberParsing.double($0, 0..<bytes.count) }
        if let value, value.isNaN {
            #expect(parsed?.isNaN == true)
        } else if let value, value == 1e80 {
            #expect(parsed.map { abs($0 - value) / value < 1e-15 } == true)
        } else {
            #expect(parsed == value)
        }
    }

    static let timestamps: [(text: String, value: Int64?)] = [
        ("0", 0), ("-5", -5), ("1700000000000", 1_700_000_000_000), ("9223372036854775807", .max),
        ("-9223372036854775808", .min), ("9223372036854775808", nil), ("1.5", nil), ("", nil), ("-", nil),
    ]

    @Test(arguments: timestamps)
    func readsTimestamps(text: String, value: Int64?) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { NumberParsing.int64($0, 0..<bytes.count) } == value)
    }

    @Test func readsOpenMetricsTimestamps() {
        let cases: [(String, Int64?)] = [("1700000000.5", 1_700_000_000_500), ("1e30", nil), ("NaN", nil)]
        for (text, value) in cases {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { NumberParsing.openMetricsTimestamp($0, 0..<bytes.count) } == value)
        }
    }
}
