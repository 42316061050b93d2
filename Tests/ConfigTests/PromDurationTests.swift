import Testing

@testable import Config

@Suite struct PromDurationTests {
    private static let second: Int64 = 1000
    private static let minute = 60 * second
    private static let hour = 60 * minute
    private static let day = 24 * hour
    private static let week = 7 * day
    private static let year = 365 * day

    /// input, milliseconds, canonical spelling (Prometheus `model/time_test.go` plus ours).
    /// Years and weeks are printed only when they divide the duration, as current Prometheus does.
    static let valid: [(String, Int64, String)] = [
        ("0", 0, "0s"),
        ("0w", 0, "0s"),
        ("0s", 0, "0s"),
        ("324ms", 324, "324ms"),
        ("3s", 3 * second, "3s"),
        ("5m", 5 * minute, "5m"),
        ("1h", hour, "1h"),
        ("4d", 4 * day, "4d"),
        ("4d1h", 4 * day + hour, "4d1h"),
        ("14d", 14 * day, "2w"),
        ("3w", 3 * week, "3w"),
        ("3w2d1h", 3 * week + 2 * day + hour, "23d1h"),
        ("10y", 10 * year, "10y"),
        ("90d", 90 * day, "90d"),
        ("1y2w3d4h5m6s7ms", year + 2 * week + 3 * day + 4 * hour + 5 * minute + 6 * second + 7, "382d4h5m6s7ms"),
        ("90s", 90 * second, "1m30s"),
        ("1500ms", 1500, "1s500ms"),
        ("0h30m", 30 * minute, "30m"),
        ("292y", 292 * year, "292y"),
    ]

    @Test(arguments: valid)
    func parsesAndFormatsLikePrometheus(input: String, milliseconds: Int64, canonical: String) throws {
        let duration = try PromDuration.parse(input)
        #expect(duration.milliseconds == milliseconds)
        #expect(duration.description == canonical)
        #expect(duration.duration == .milliseconds(milliseconds))
        #expect(try PromDuration.parse(canonical) == duration)
    }

    /// input, a fragment of the error message.
    static let invalid: [(String, String)] = [
        ("", "empty duration"),
        ("1", "not a valid duration"),
        ("1y1m1d", "largest to smallest"),
        ("1m1h", "largest to smallest"),
        ("1s1s", "largest to smallest"),
        ("-1w", "not a valid duration"),
        ("1.5d", "unknown unit \".\""),
        ("5 minutes", "unknown unit \" minutes\""),
        ("1H", "unknown unit \"H\""),
        ("s", "not a valid duration"),
        ("1h ", "unknown unit \"h \""),
        ("300y", "out of range"),
        ("99999999999999999999s", "out of range"),
    ]

    @Test(arguments: invalid)
    func rejectsWhatPrometheusRejects(input: String, fragment: String) {
        #expect {
            try PromDuration.parse(input)
        } throws: { error in
            (error as? ConfigValueError)?.message.contains(fragment) == true
        }
    }

    @Test func secondsConvertWithMillisecondRounding() {
        #expect(PromDuration(seconds: 300)?.description == "5m")
        #expect(PromDuration(seconds: 1.5)?.description == "1s500ms")
        #expect(PromDuration(seconds: 0.0004)?.milliseconds == 0)
        #expect(PromDuration(seconds: -1) == nil)
        #expect(PromDuration(seconds: .infinity) == nil)
        #expect(PromDuration(milliseconds: -1) == nil)
        #expect(PromDuration(milliseconds: PromDuration.max.milliseconds + 1) == nil)
    }

    @Test func ordersByLength() throws {
        #expect(try PromDuration.parse("59s") < PromDuration.parse("1m"))
    }
}
