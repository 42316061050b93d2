import Testing

@testable import Web

/// Parameters read as Prometheus's `web/api/v1` reads them.
@Suite("Query API parameters")
struct APIParametersTests {
    static let times: [(String, Int64?)] = [
        ("1700000000", 1_700_000_000_000),
        ("1700000000.123", 1_700_000_000_123),
        ("1700000000.1234", 1_700_000_000_123),
        ("1700000000.1236", 1_700_000_000_124),
        ("1.5", 1500),
        ("-1.5", -1500),
        ("0", 0),
        ("1e9", 1_000_000_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000_000),
        ("2023-11-14T22:13:20.5Z", 1_700_000_000_500),
        ("2023-11-14T22:13:20.123456789Z", 1_700_000_000_123),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000_000),
        ("2023-11-14T20:43:20-01:30", 1_700_000_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("-292273086-05-16T16:47:06Z", APIParameters.minTime),
        ("292277025-08-18T07:12:54.999999999Z", APIParameters.maxTime),
        ("", nil),
        ("abc", nil),
        ("2023-13-01T00:00:00Z", nil),
        ("2023-02-29T00:00:00Z", nil),
        ("2023-11-14 22:13:20Z", nil),
        ("2023-11-14T22:13:20", nil),
        ("inf", nil),
        ("0x10", nil),
    ]

    @Test(arguments: times)
    func time(text: String, expected: Int64?) throws {
        if let expected {
            #expect(try APIParameters.time(text) == expected)
        } else {
            #expect(throws: APIError(.badData, "cannot parse \"\(text)\" to a valid timestamp")) {
                try APIParameters.time(text)
            }
        }
    }

    static let durations: [(String, Int64?)] = [
        ("15", 15_000_000_000),
        ("0.5", 500_000_000),
        ("0.001", 1_000_000),
        ("-1", -1_000_000_000),
        ("0", 0),
        ("1m30s", 90_000_000_000),
        ("1h", 3_600_000_000_000),
        ("1d", 86_400_000_000_000),
        ("250ms", 250_000_000),
        ("1x", nil),
        ("1m1h", nil),
        ("", nil),
    ]

    @Test(arguments: durations)
    func duration(text: String, expected: Int64?) throws {
        if let expected {
            #expect(try APIParameters.duration(text) == expected)
        } else {
            #expect(throws: APIError(.badData, "cannot parse \"\(text)\" to a valid duration")) {
                try APIParameters.duration(text)
            }
        }
    }

    @Test func durationOverflow() {
        #expect(throws: APIError(.badData, "cannot parse \"1e20\" to a valid duration. It overflows int64")) {
            try APIParameters.duration("1e20")
        }
    }

    static let limits: [(String, Int?, String?)] = [
        ("", 0, nil),
        ("0", 0, nil),
        ("7", 7, nil),
        ("-1", nil, "invalid parameter \"limit\": limit must be non-negative"),
        ("x", nil, "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax"),
    ]

    @Test(arguments: limits)
    func limit(text: String, expected: Int?, error: String?) throws {
        if let expected {
            #expect(try APIParameters.limit(text) == expected)
        } else {
            #expect(throws: APIError(.badData, error ?? "")) { try APIParameters.limit(text) }
        }
    }

    static let forms: [(query: String?, body: String?, name: String, all: [String], decodingError: String?)] = [
        ("query=up&time=1", nil, "query", ["up"], nil),
        ("query=rate%28x%5B5m%5D%29", nil, "query", ["rate(x[5m])"], nil),
        ("query=a+b", nil, "query", ["a b"], nil),
        ("match[]=up&match[]=down", nil, "match[]", ["up", "down"], nil),
        ("match%5B%5D=up", nil, "match[]", ["up"], nil),
        ("query=url", "query=body", "query", ["body", "url"], nil),
        ("query=%zz&time=1", nil, "query", [], "invalid URL escape \"%zz\""),
        ("query=up;time=1", nil, "query", [], "invalid semicolon separator in query"),
        ("flag", nil, "flag", [""], nil),
        ("", nil, "query", [], nil),
    ]

    @Test(arguments: forms)
    func form(query: String?, body: String?, name: String, all: [String], decodingError: String?) {
        let form = FormValues(query: query, body: body.map { Array($0.utf8) })
        #expect(form.all(name) == all)
        #expect(form[name] == (all.first ?? ""))
        #expect(form.decodingError == decodingError)
    }

    static let escapedNames: [(String, String)] = [
        ("job", "job"),
        ("__name__", "__name__"),
        ("U__a_2e_b", "a.b"),
        ("U__my__label", "my_label"),
        ("U__http_2f_status", "http/status"),
        ("U__bad_zz_", "U__bad_zz_"),
    ]

    @Test(arguments: escapedNames)
    func unescapesLabelNames(escaped: String, expected: String) {
        #expect(PrometheusAPI.unescapeLabelName(escaped) == expected)
    }
}
