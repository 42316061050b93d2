/// The English schedule phrases users already write (`daily at 2:00`, `*/6 hours`), each
/// translated to a fixed interval or a cron expression.
enum SchedulePhrase {
    case interval(PromDuration)
    case cron(String)

    private static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    private static let units: [(names: Set<String>, milliseconds: Int64)] = [
        (["s", "sec", "secs", "second", "seconds"], 1000),
        (["m", "min", "mins", "minute", "minutes"], 60_000),
        (["h", "hr", "hrs", "hour", "hours"], 3_600_000),
        (["d", "day", "days"], 86_400_000),
        (["w", "week", "weeks"], 604_800_000),
    ]

    /// The phrase's meaning; nil if `text` (lowercased, single-spaced) is no phrase at all,
    /// and an error if it is one with a bad part, such as `daily at 25:00`.
    static func parse(_ text: String) throws(ConfigValueError) -> SchedulePhrase? {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first else { return nil }
        switch first {
        case "hourly", "@hourly": return words.count == 1 ? .cron("0 * * * *") : nil
        case "daily", "@daily", "@midnight": return try daily(words.dropFirst())
        case "weekly", "@weekly": return try weekly(words.dropFirst())
        case "monthly", "@monthly": return try monthly(words.dropFirst())
        case "yearly", "annually", "@yearly", "@annually": return words.count == 1 ? .cron("0 0 1 1 *") : nil
        case "every", "@every": return try every(words.dropFirst())
        default: break
        }
        if first.hasPrefix("*/"), words.count == 2, let step = Int(first.dropFirst(2)) {
            return try cronStep(step, unit: words[1])
        }
        return nil
    }

    /// `daily` or `daily at 14:30`.
    private static func daily(_ rest: ArraySlice<String>) throws(ConfigValueError) -> SchedulePhrase? {
        guard let time = try timeOfDay(rest) else { return nil }
        return .cron("\(time.minute) \(time.hour) * * *")
    }

    /// `weekly`, `weekly on sunday`, `weekly on sunday at 3:00`.
    private static func weekly(_ rest: ArraySlice<String>) throws(ConfigValueError) -> SchedulePhrase? {
        var rest = rest
        var day = 0
        if rest.first == "on" {
            guard let name = rest.dropFirst().first else { return nil }
            guard let index = weekday(named: name) else {
                throw ConfigValueError("unknown day \"\(name)\" in weekly schedule; use monday ... sunday")
            }
            day = index
            rest = rest.dropFirst(2)
        }
        guard let time = try timeOfDay(rest) else { return nil }
        return .cron("\(time.minute) \(time.hour) * * \(day)")
    }

    /// 0 for Sunday to 6 for Saturday, from a full name or one shortened to three letters or more.
    private static func weekday(named name: String) -> Int? {
        guard name.count >= 3 else { return nil }
        return weekdays.firstIndex { $0.hasPrefix(name) }
    }

    /// `monthly`, `monthly on 1st`, `monthly on the 15th at 10:00`.
    private static func monthly(_ rest: ArraySlice<String>) throws(ConfigValueError) -> SchedulePhrase? {
        var rest = rest
        var day = 1
        if rest.first == "on" {
            rest = rest.dropFirst()
            if rest.first == "the" { rest = rest.dropFirst() }
            guard let word = rest.first else { return nil }
            let digits = word.prefix(while: \.isNumber)
            let suffix = word.dropFirst(digits.count)
            guard let number = Int(digits), ["", "st", "nd", "rd", "th"].contains(suffix) else { return nil }
            guard (1...31).contains(number) else {
                throw ConfigValueError("day \(word) in monthly schedule is not a day of the month; use 1st ... 31st")
            }
            day = number
            rest = rest.dropFirst()
        }
        guard let time = try timeOfDay(rest) else { return nil }
        return .cron("\(time.minute) \(time.hour) \(day) * *")
    }

    /// Intervals (`every 10 minutes`, `every hour`, `every 5m`) and days (`every day at 2:00`,
    /// `every weekday at 9:00` for Monday to Friday, `every monday`).
    private static func every(_ rest: ArraySlice<String>) throws(ConfigValueError) -> SchedulePhrase? {
        guard let first = rest.first else { return nil }
        if first == "day", rest.count > 1 {
            return try daily(rest.dropFirst())
        }
        if first == "weekday" {
            guard let time = try timeOfDay(rest.dropFirst()) else { return nil }
            return .cron("\(time.minute) \(time.hour) * * 1-5")
        }
        if weekday(named: first) != nil {
            return try weekly(["on", first] + rest.dropFirst())
        }
        if rest.count == 1, let duration = try? PromDuration.parse(first) {
            return .interval(duration)
        }
        let count: Int64
        let unitName: String
        switch rest.count {
        case 1: (count, unitName) = (1, first)
        case 2:
            guard let number = Int64(first) else { return nil }
            (count, unitName) = (number, rest.last!)
        default: return nil
        }
        guard let unit = units.first(where: { $0.names.contains(unitName) }) else { return nil }
        let (milliseconds, overflows) = count.multipliedReportingOverflow(by: unit.milliseconds)
        guard count > 0, !overflows, let duration = PromDuration(milliseconds: milliseconds) else {
            throw ConfigValueError("\"every \(count) \(unitName)\" is not a usable interval; use a positive number")
        }
        return .interval(duration)
    }

    /// `*/N minutes` → `*/N * * * *`; `*/N hours` → `0 */N * * *`; `*/N days` → `0 0 */N * *`.
    private static func cronStep(_ step: Int, unit: String) throws(ConfigValueError) -> SchedulePhrase? {
        let (limit, pattern): (Int, String)
        switch unit {
        case "minute", "minutes", "min", "mins": (limit, pattern) = (59, "*/\(step) * * * *")
        case "hour", "hours": (limit, pattern) = (23, "0 */\(step) * * *")
        case "day", "days": (limit, pattern) = (30, "0 0 */\(step) * *")
        default: return nil
        }
        guard (1...limit).contains(step) else {
            throw ConfigValueError("step \(step) in \"*/\(step) \(unit)\" must be between 1 and \(limit)")
        }
        return .cron(pattern)
    }

    /// Nothing (midnight) or `at H:MM`, `at H`, with optional `am`/`pm` (`at 2:30pm`, `at 2 pm`).
    private static func timeOfDay(_ rest: ArraySlice<String>) throws(ConfigValueError) -> (hour: Int, minute: Int)? {
        guard let at = rest.first else { return (0, 0) }
        guard at == "at", (2...3).contains(rest.count) else { return nil }
        var clock = Substring(rest[rest.startIndex + 1])
        var meridiem = rest.count == 3 ? rest.last! : ""
        for suffix in ["am", "pm"] where meridiem.isEmpty && clock.hasSuffix(suffix) {
            meridiem = suffix
            clock = clock.dropLast(2)
        }
        let invalid = ConfigValueError(
            "invalid time \"\(rest.dropFirst().joined(separator: " "))\"; write 24-hour H:MM such as 2:00 or 14:30 (UTC unless a timezone is set)"
        )
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
            var hour = Int(parts[0]), let minute = parts.count == 2 ? Int(parts[1]) : 0,
            parts.count == 1 || parts[1].count == 2, (0...59).contains(minute)
        else { throw invalid }
        switch meridiem {
        case "": guard (0...23).contains(hour) else { throw invalid }
        case "am", "pm":
            guard (1...12).contains(hour) else { throw invalid }
            hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
        default: return nil
        }
        return (hour, minute)
    }
}
