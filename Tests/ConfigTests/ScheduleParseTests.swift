import Foundation
import Testing

@testable import Config

@Suite struct ScheduleParseTests {
    /// Phrase or expression → the cron expression it means.
    static let wallClock: [(String, String)] = [
        // Phrases from users' existing configs.
        ("*/6 hours", "0 */6 * * *"),
        ("*/30 minutes", "*/30 * * * *"),
        ("hourly", "0 * * * *"),
        ("daily", "0 0 * * *"),
        ("daily at 2:00", "0 2 * * *"),
        ("daily at 8:00", "0 8 * * *"),
        ("daily at 14:30", "30 14 * * *"),
        ("weekly", "0 0 * * 0"),
        ("weekly on sunday at 3:00", "0 3 * * 0"),
        ("weekly on monday at 9:00", "0 9 * * 1"),
        ("monthly on 1st at 10:00", "0 10 1 * *"),
        // Variations.
        ("  Daily   AT 02:05 ", "5 2 * * *"),
        ("daily at 2pm", "0 14 * * *"),
        ("daily at 2:30 pm", "30 14 * * *"),
        ("daily at 12:15am", "15 0 * * *"),
        ("daily at 12 pm", "0 12 * * *"),
        ("daily at 7", "0 7 * * *"),
        ("weekly on fri", "0 0 * * 5"),
        ("monthly", "0 0 1 * *"),
        ("monthly on the 15th", "0 0 15 * *"),
        ("monthly on 31st", "0 0 31 * *"),
        ("monthly on 2 at 6:45", "45 6 2 * *"),
        ("yearly", "0 0 1 1 *"),
        ("*/1 hour", "0 */1 * * *"),
        ("*/2 days", "0 0 */2 * *"),
        ("every day at 8:00", "0 8 * * *"),
        ("every monday at 9:00", "0 9 * * 1"),
        ("every sunday", "0 0 * * 0"),
        ("every weekday at 9:00", "0 9 * * 1-5"),
        ("weekly on tues at 8:15", "15 8 * * 2"),
        ("every thurs", "0 0 * * 4"),
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@annually", "0 0 1 1 *"),
        // Cron expressions, normalised.
        ("*/5 * * * *", "*/5 * * * *"),
        ("0 9 * * MON-FRI", "0 9 * * mon-fri"),
        ("0  0\t1,15 * *", "0 0 1,15 * *"),
        ("0 0 * * fri-sun", "0 0 * * fri-sun"),
    ]

    @Test(arguments: wallClock)
    func wallClockSchedules(text: String, cron: String) throws {
        let schedule = try Schedule.parse(text)
        #expect(schedule.cronExpression == cron)
        #expect(schedule.interval == nil)
        #expect(schedule.description == text)
        #expect(schedule == (try Schedule.parse(cron)))
    }

    static let intervals: [(String, Duration)] = [
        ("30s", .seconds(30)),
        ("5m", .seconds(300)),
        ("1h30m", .seconds(5400)),
        ("every 10 minutes", .seconds(600)),
        ("every minute", .seconds(60)),
        ("every hour", .seconds(3600)),
        ("every 2 hours", .seconds(7200)),
        ("every 90 seconds", .seconds(90)),
        ("every 1 day", .seconds(86400)),
        ("every day", .seconds(86400)),
        ("every 5m", .seconds(300)),
        ("@every 1h30m", .seconds(5400)),
    ]

    @Test(arguments: intervals)
    func intervalSchedules(text: String, interval: Duration) throws {
        let schedule = try Schedule.parse(text)
        #expect(schedule.interval == interval)
        #expect(schedule.cronExpression == nil)
    }

    /// Text → a fragment of the error message.
    static let invalid: [(String, String)] = [
        ("", "unrecognised schedule"),
        ("fortnightly", "unrecognised schedule \"fortnightly\"; write a duration (30s, 5m), a cron expression"),
        ("every blue moon", "unrecognised schedule"),
        ("hourly at 5", "unrecognised schedule"),
        ("0s", "interval must be longer than 0"),
        ("every 0 minutes", "not a usable interval"),
        ("daily at 25:00", "invalid time \"25:00\"; write 24-hour H:MM"),
        ("daily at 2:0", "invalid time"),
        ("daily at 2:60", "invalid time"),
        ("daily at 13pm", "invalid time"),
        ("daily at noon", "invalid time"),
        ("weekly on funday", "unknown day \"funday\""),
        ("weekly on mo", "unknown day \"mo\""),
        ("every weekday at 24:00", "invalid time"),
        ("monthly on 32nd at 1:00", "not a day of the month"),
        ("*/0 minutes", "must be between 1 and 59"),
        ("*/60 minutes", "must be between 1 and 59"),
        ("*/24 hours", "must be between 1 and 23"),
        ("* * * *", "5 fields"),
        ("0 * * * * *", "seconds are not supported"),
        ("60 * * * *", "invalid value \"60\" in cron minute field"),
        ("* 24 * * *", "cron hour field"),
        ("* * 0 * *", "cron day of month field"),
        ("* * * 13 *", "cron month field \"13\"; use 1-12 or jan-dec"),
        ("0 0 * * 8", "cron day of week field"),
        ("0 0 * foo *", "invalid value \"foo\""),
        ("5-1 * * * *", "goes backwards"),
        ("*/0 * * * *", "invalid step"),
        ("1,,2 * * * *", "invalid value \"\""),
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4,6,9,11 *", "never fires"),
    ]

    @Test(arguments: invalid)
    func rejectsWithHelp(text: String, fragment: String) {
        #expect {
            try Schedule.parse(text)
        } throws: { error in
            (error as? ConfigValueError)?.message.contains(fragment) == true
        }
    }

    @Test func equalityIgnoresSpelling() throws {
        #expect(try Schedule.parse("0 0 * * 7") == Schedule.parse("0 0 * * sun"))
        #expect(try Schedule.parse("0 0 * * fri-sun") == Schedule.parse("0 0 * * 0,5,6"))
        #expect(try Schedule.parse("* * * * *") == Schedule.parse("*/1 * * * *"))
        #expect(try Schedule.parse("5m") == Schedule.parse("every 5 minutes"))
        #expect(try Schedule.parse("5m") != Schedule.parse("*/5 minutes"))
        #expect(try Schedule.parse("0 0 * * 0") != Schedule.parse("0 0 * * 1"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(try Schedule.parse("daily", timeZone: tokyo) != Schedule.parse("daily"))
        #expect(try Schedule.parse("5m", timeZone: tokyo) == Schedule.parse("5m"))
    }

    @Test func februaryTwentyNinthIsAccepted() throws {
        #expect(try Schedule.parse("0 0 29 2 *").cronExpression == "0 0 29 2 *")
        #expect(try Schedule.parse("0 0 30 2 1").cronExpression == "0 0 30 2 1", "OR rule: fires on Mondays")
    }
}
