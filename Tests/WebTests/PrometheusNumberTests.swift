import Testing

@testable import Web

/// Sample values and timestamps as Prometheus's `util/jsonutil` writes them: values with Go's
/// `strconv.FormatFloat(v, 'f', -1, 64)`, or `'e'` below 1e-6 and from 1e21; timestamps as
/// seconds with the milliseconds written out.
@Suite("Query API number rendering")
struct PrometheusNumberTests {
    static let values: [(Double, String)] = [
        (0, "0"),
        (-0.0, "-0"),
        (1, "1"),
        (-1, "-1"),
        (42, "42"),
        (1_000_000, "1000000"),
        (1.7e9, "1700000000"),
        (0.5, "0.5"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (123_456.5, "123456.5"),
        (1_266_464.0146205237, "1266464.0146205237"),
        (0.0001, "0.0001"),
        (1e-6, "0.000001"),
        (9.99e-7, "9.99e-07"),
        (1.5e-7, "1.5e-07"),
        (1e-10, "1e-10"),
        (1e20, "100000000000000000000"),
        (1.2345678901234568e20, "123456789012345680000"),
        (9.99e20, "999000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (9_007_199_254_740_992, "9007199254740992"),
        (9_007_199_254_740_994, "9007199254740994"),
        (1e16, "10000000000000000"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (.infinity, "+Inf"),
        (-.infinity, "-Inf"),
        (.nan, "NaN"),
    ]

    @Test(arguments: values)
    func value(value: Double, expected: String) {
        #expect(PrometheusNumber.value(value) == expected)
    }

    static let timestamps: [(Int64, String)] = [
        (0, "0"),
        (5, "0.005"),
        (1500, "1.500"),
        (1001, "1.001"),
        (1010, "1.010"),
        (2000, "2"),
        (-1500, "-1.500"),
        (1_435_781_451_781, "1435781451.781"),
        (1_700_000_000_000, "1700000000"),
    ]

    @Test(arguments: timestamps)
    func timestamp(milliseconds: Int64, expected: String) {
        #expect(PrometheusNumber.timestamp(milliseconds) == expected)
    }

    static let strings: [(String, String)] = [
        ("plain", #""plain""#),
        ("a\"b", #""a\"b""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nbreak\ttab\rreturn", #""line\nbreak\ttab\rreturn""#),
        ("<html>&", #""\u003chtml\u003e\u0026""#),
        ("\u{01}\u{1f}", #""\u0001\u001f""#),
        ("\u{2028}\u{2029}", #""\u2028\u2029""#),
        ("ünïcödé ✓", "\"ünïcödé ✓\""),
    ]

    /// Strings escaped as Go's `encoding/json` escapes them.
    @Test(arguments: strings)
    func string(value: String, expected: String) {
        var writer = JSONWriter()
        writer.string(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }
}
