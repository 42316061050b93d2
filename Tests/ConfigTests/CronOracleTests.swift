import Foundation
import Testing

@testable import Config

/// `nextFire` against a brute-force scan of every minute, judged by a predicate written
/// independently of the cron parser, in UTC.
@Suite struct CronOracleTests {
    struct Minute {
        let year: Int, month: Int, day: Int, hour: Int, minute: Int
        /// 0 for Sunday.
        let weekday: Int
    }

    /// The UTC wall clock of a minute since the epoch (Howard Hinnant's `civil_from_days`).
    static func civil(minutes: Int) -> Minute {
        let days = minutes / 1440
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Minute(
            year: year, month: month, day: day, hour: minutes % 1440 / 60, minute: minutes % 60,
            weekday: (days + 4) % 7)
    }

    static let cases: [(String, @Sendable (Minute) -> Bool)] = [
        ("*/7 * * * *", { $0.minute % 7 == 0 }),
        ("5,35 */5 * * *", { ($0.minute == 5 || $0.minute == 35) && $0.hour % 5 == 0 }),
        ("0 0 13 * 5", { $0.minute == 0 && $0.hour == 0 && ($0.day == 13 || $0.weekday == 5) }),
        ("0 0 */10 * 1-3", { $0.minute == 0 && $0.hour == 0 && $0.day % 10 == 1 && (1...3).contains($0.weekday) }),
        ("30 12 1-7 * mon", { $0.minute == 30 && $0.hour == 12 && ($0.day <= 7 || $0.weekday == 1) }),
        (
            "0 6 * feb,mar sat-sun",
            { $0.minute == 0 && $0.hour == 6 && [2, 3].contains($0.month) && [0, 6].contains($0.weekday) }
        ),
        ("45 23 28-31 * *", { $0.minute == 45 && $0.hour == 23 && $0.day >= 28 }),
        ("0 9 * * 1-5", { $0.minute == 0 && $0.hour == 9 && (1...5).contains($0.weekday) }),
        ("*/30 minutes", { $0.minute % 30 == 0 }),
        ("*/6 hours", { $0.minute == 0 && $0.hour % 6 == 0 }),
        ("monthly on 31st at 10:00", { $0.minute == 0 && $0.hour == 10 && $0.day == 31 }),
        ("weekly on wednesday at 23:59", { $0.minute == 59 && $0.hour == 23 && $0.weekday == 3 }),
    ]

    /// Starts spread over a leap year's end of February and a year's end.
    static let starts = ["2024-02-26T17:23:00Z", "2023-12-30T00:00:00Z", "2100-02-27T12:00:00Z"]

    @Test(arguments: cases)
    func agreesWithBruteForce(text: String, predicate: @Sendable (Minute) -> Bool) throws {
        let schedule = try Schedule.parse(text)
        for start in Self.starts {
            var time = try Date(start, strategy: .iso8601)
            var minute = Int(time.timeIntervalSince1970) / 60
            let end = minute + 70 * 1440
            while true {
                minute += 1
                while minute < end, !predicate(Self.civil(minutes: minute)) { minute += 1 }
                guard minute < end else { break }
                time = schedule.nextFire(after: time)
                #expect(Int(time.timeIntervalSince1970) == minute * 60, "\(text) from \(start)")
                if Int(time.timeIntervalSince1970) != minute * 60 { break }
            }
        }
    }
}
