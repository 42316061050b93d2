/// A calendar day in the proleptic Gregorian calendar, with no time zone: the arithmetic
/// cron needs, done without `Calendar` so it is exact and fast.
struct CivilDate: Sendable, Hashable {
    let year: Int
    let month: Int
    let day: Int

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, leapYear: Bool) -> Int {
        switch month {
        case 2: leapYear ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 for Sunday through 6 for Saturday.
    var weekday: Int {
        // Days since 1970-01-01 (a Thursday), by the civil-from-days inverse (era of 400 years).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days % 7) + 7 + 4) % 7
    }

    func next() -> CivilDate {
        if day < Self.daysIn(month: month, leapYear: Self.isLeap(year)) {
            return CivilDate(year: year, month: month, day: day + 1)
        }
        return firstOfNextMonth()
    }

    func firstOfNextMonth() -> CivilDate {
        month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
    }
}
