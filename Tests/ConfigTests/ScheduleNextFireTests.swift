import Foundation
import Testing

@testable import Config

@Suite struct ScheduleNextFireTests {
    private static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    /// Schedule, `after`, the next fire times in order (each computed from the previous one).
    static let utcCases: [(String, String, [String])] = [
        ("*/5 * * * *", "2025-01-01T10:02:30Z", ["2025-01-01T10:05:00Z", "2025-01-01T10:10:00Z"]),
        ("*/5 * * * *", "2025-01-01T10:05:00Z", ["2025-01-01T10:10:00Z"]),
        ("*/30 minutes", "2025-01-01T23:45:00Z", ["2025-01-02T00:00:00Z", "2025-01-02T00:30:00Z"]),
        (
            "*/6 hours", "2025-01-01T05:59:59Z",
            ["2025-01-01T06:00:00Z", "2025-01-01T12:00:00Z", "2025-01-01T18:00:00Z", "2025-01-02T00:00:00Z"]
        ),
        ("hourly", "2025-01-01T10:00:00Z", ["2025-01-01T11:00:00Z"]),
        ("daily at 2:00", "2025-01-01T01:59:00Z", ["2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z"]),
        ("daily at 14:30", "2025-12-31T14:30:00Z", ["2026-01-01T14:30:00Z"]),
        // 2025-01-01 is a Wednesday.
        ("weekly on sunday at 3:00", "2025-01-01T00:00:00Z", ["2025-01-05T03:00:00Z", "2025-01-12T03:00:00Z"]),
        ("weekly", "2025-01-05T00:00:00Z", ["2025-01-12T00:00:00Z"]),
        ("0 0 * * 7", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z"]),
        ("0 9 * * mon-fri", "2025-01-03T09:00:00Z", ["2025-01-06T09:00:00Z", "2025-01-07T09:00:00Z"]),
        ("monthly on 1st at 10:00", "2025-01-31T12:00:00Z", ["2025-02-01T10:00:00Z", "2025-03-01T10:00:00Z"]),
        // Months without a 31st are skipped, as in cron.
        (
            "monthly on 31st", "2025-01-31T00:00:00Z",
            ["2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-31T00:00:00Z"]
        ),
        ("0 0 30 * *", "2024-01-30T00:00:00Z", ["2024-03-30T00:00:00Z"]),
        // Leap years: 2028 is one, 2100 is not, 2000 was.
        ("0 0 29 2 *", "2025-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
        ("0 0 29 2 *", "2096-03-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
        ("0 0 29 2 *", "1999-01-01T00:00:00Z", ["2000-02-29T00:00:00Z"]),
        ("59 23 28 2 *", "2024-02-28T23:59:00Z", ["2025-02-28T23:59:00Z"]),
        ("0 12 31 12 *", "2024-12-31T12:00:00Z", ["2025-12-31T12:00:00Z"]),
        // Vixie's OR rule: the 13th or any Friday.
        (
            "0 0 13 * 5", "2025-01-01T00:00:00Z",
            ["2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-17T00:00:00Z"]
        ),
        ("0 0 30 2 1", "2025-02-01T00:00:00Z", ["2025-02-03T00:00:00Z"]),
        // A day field starting with `*` turns the OR into AND: odd days that are Fridays.
        (
            "0 0 */2 * 5", "2025-01-01T00:00:00Z",
            ["2025-01-03T00:00:00Z", "2025-01-17T00:00:00Z", "2025-01-31T00:00:00Z", "2025-02-07T00:00:00Z"]
        ),
        ("0 0 1 jan,jul *", "2025-01-01T00:00:00Z", ["2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"]),
        ("15 3 * * *", "2025-06-15T03:14:59.999Z", ["2025-06-15T03:15:00Z"]),
    ]

    @Test(arguments: utcCases)
    func firesInUTC(text: String, after: String, expected: [String]) throws {
        let schedule = try Schedule.parse(text)
        var time = Self.date(after)
        for next in expected {
            time = schedule.nextFire(after: time)
            #expect(time == Self.date(next), "\(text) after \(after)")
        }
    }

    @Test func intervalsAddToTheGivenTime() throws {
        let schedule = try Schedule.parse("30s")
        let start = Self.date("2025-01-01T10:00:07Z")
        #expect(schedule.nextFire(after: start) == Self.date("2025-01-01T10:00:37Z"))
        #expect(schedule.interval == .seconds(30))
    }

    @Test func wallClockInATimeZone() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let schedule = try Schedule.parse("daily at 9:00", timeZone: newYork)
        #expect(schedule.nextFire(after: Self.date("2025-01-01T00:00:00Z")) == Self.date("2025-01-01T14:00:00Z"))
        #expect(schedule.nextFire(after: Self.date("2025-07-01T00:00:00Z")) == Self.date("2025-07-01T13:00:00Z"))
    }

    @Test func skippedLocalTimeFiresAfterTheJump() throws {
        // 2025-03-09 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that day.
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let schedule = try Schedule.parse("30 2 * * *", timeZone: newYork)
        let fire = schedule.nextFire(after: Self.date("2025-03-09T05:00:00Z"))
        #expect(fire == Self.date("2025-03-09T07:30:00Z"))
        #expect(schedule.nextFire(after: fire) == Self.date("2025-03-10T06:30:00Z"))
    }

    @Test func frequentSchedulesFollowTheRealClockThroughDaylightSavingChanges() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let hourly = try Schedule.parse("0 * * * *", timeZone: newYork)
        // Fall back: 01:00 EDT (05:00Z), 01:00 EST (06:00Z), 02:00 EST (07:00Z).
        var time = Self.date("2025-11-02T04:30:00Z")
        for expected in ["2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z"] {
            time = hourly.nextFire(after: time)
            #expect(time == Self.date(expected))
        }
        // Spring forward: 01:00 EST (06:00Z), then 03:00 EDT (07:00Z).
        time = Self.date("2025-03-09T05:30:00Z")
        for expected in ["2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"] {
            time = hourly.nextFire(after: time)
            #expect(time == Self.date(expected))
        }
        let quarterly = try Schedule.parse("*/15 1 * * *", timeZone: newYork)
        #expect(quarterly.nextFire(after: Self.date("2025-11-02T06:10:00Z")) == Self.date("2025-11-02T06:15:00Z"))
        // Hour 2 does not exist on 2025-03-09, so a real-clock job in it skips that day.
        let inSkippedHour = try Schedule.parse("*/15 2 * * *", timeZone: newYork)
        #expect(inSkippedHour.nextFire(after: Self.date("2025-03-09T06:50:00Z")) == Self.date("2025-03-10T06:00:00Z"))
    }

    @Test func repeatedLocalTimeFiresOnce() throws {
        // 2025-11-02 02:00 EDT falls back to 01:00 EST: 01:30 happens twice.
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let schedule = try Schedule.parse("30 1 * * *", timeZone: newYork)
        let first = schedule.nextFire(after: Self.date("2025-11-02T04:00:00Z"))
        #expect(first == Self.date("2025-11-02T05:30:00Z"))
        #expect(schedule.nextFire(after: first) == Self.date("2025-11-03T06:30:00Z"))
    }
}
