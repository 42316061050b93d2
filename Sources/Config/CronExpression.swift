import Foundation

/// A standard five-field cron expression, with Vixie cron's semantics.
///
/// Fields are minute (0-59), hour (0-23), day of month (1-31), month (1-12 or `jan`-`dec`)
/// and day of week (0-7 or `sun`-`sat`, where both 0 and 7 are Sunday). Each field is `*`
/// or a comma-separated list of `n`, `a-b`, `a-b/step`, `*/step` or `n/step` (`n` to the
/// field's end); a weekday range may end on Sunday (`sat-sun`). As in Vixie cron, when both day fields are restricted a day matches if
/// *either* matches; a day field that starts with `*` (even `*/2`) counts as unrestricted,
/// and then both must match.
struct CronExpression: Sendable, Hashable {
    let minutes: Field
    let hours: Field
    let daysOfMonth: Field
    let months: Field
    let daysOfWeek: Field
    /// True when neither day field starts with `*`: then Vixie's OR rule applies.
    let eitherDayMatches: Bool
    /// True when the minute or hour field starts with `*`: then the expression follows the
    /// real clock through daylight-saving changes rather than naming wall-clock times.
    let runsOnRealClock: Bool

    /// The set of values one field allows, as a bit mask.
    struct Field: Sendable, Hashable {
        var bits: UInt64 = 0

        func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

        mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }

        /// The smallest allowed value that is at least `value`.
        func first(atLeast value: Int, through last: Int) -> Int? {
            guard value <= last else { return nil }
            return (value...last).first(where: contains)
        }
    }

    private struct FieldSpec {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        /// The first value `names` spell (1 for months, 0 for weekdays).
        let namesStart: Int
    }

    private static let specs = [
        FieldSpec(name: "minute", range: 0...59, names: [], namesStart: 0),
        FieldSpec(name: "hour", range: 0...23, names: [], namesStart: 0),
        FieldSpec(name: "day of month", range: 1...31, names: [], namesStart: 0),
        FieldSpec(
            name: "month", range: 1...12,
            names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], namesStart: 1),
        FieldSpec(
            name: "day of week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], namesStart: 0),
    ]

    /// Parses five whitespace-separated fields; errors name the field and what it accepts.
    static func parse(_ text: String) throws(ConfigValueError) -> CronExpression {
        let fields = text.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard fields.count == 5 else {
            throw ConfigValueError(
                "a cron expression has 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)"
                    + (fields.count == 6 ? "; seconds are not supported" : ""))
        }
        var parsed: [Field] = []
        for (field, spec) in zip(fields, specs) {
            parsed.append(try parseField(field, spec))
        }
        var daysOfWeek = parsed[4]
        if daysOfWeek.contains(7) {
            daysOfWeek.bits = daysOfWeek.bits & ~(1 << 7) | 1
        }
        let cron = CronExpression(
            minutes: parsed[0], hours: parsed[1], daysOfMonth: parsed[2], months: parsed[3],
            daysOfWeek: daysOfWeek,
            eitherDayMatches: !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*"),
            runsOnRealClock: fields[0].hasPrefix("*") || fields[1].hasPrefix("*"))
        try cron.checkCanFire()
        return cron
    }

    private static func parseField(_ text: String, _ spec: FieldSpec) throws(ConfigValueError) -> Field {
        var field = Field()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value > 0 else {
                    throw ConfigValueError(
                        "invalid step \"\(parts[1])\" in cron \(spec.name) field \"\(text)\"; use a positive number")
                }
                step = value
            }
            let bounds: ClosedRange<Int>
            if parts[0] == "*" {
                bounds = spec.range
            } else {
                let ends = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                let low = try value(ends[0], spec, in: text)
                var high =
                    try ends.count == 2
                    ? value(ends[1], spec, in: text) : (parts.count == 2 ? spec.range.upperBound : low)
                if spec.range == 0...7, ends.count == 2, high == 0 {
                    high = 7  // `fri-sun` means Friday to Sunday, though `sun` is 0.
                }
                guard low <= high else {
                    throw ConfigValueError(
                        "range \(parts[0]) in cron \(spec.name) field goes backwards; write the smaller value first")
                }
                bounds = low...high
            }
            for value in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) {
                field.insert(value)
            }
        }
        return field
    }

    private static func value(_ text: Substring, _ spec: FieldSpec, in field: String) throws(ConfigValueError) -> Int {
        if let number = Int(text), spec.range.contains(number) {
            return number
        }
        if let index = spec.names.firstIndex(of: String(text)) {
            return index + spec.namesStart
        }
        let accepted =
            spec.names.isEmpty
            ? "\(spec.range.lowerBound)-\(spec.range.upperBound)"
            : "\(spec.range.lowerBound)-\(spec.range.upperBound) or \(spec.names.first!)-\(spec.names.last!)"
        throw ConfigValueError(
            "invalid value \"\(text)\" in cron \(spec.name) field \"\(field)\"; use \(accepted), *, lists, ranges and steps"
        )
    }

    /// Rejects expressions whose days never occur, like `0 0 30 2 *`, so that `next(after:)`
    /// always finds a time. (Vixie cron accepts them and silently never runs.)
    private func checkCanFire() throws(ConfigValueError) {
        // With the OR rule any day of week matches; a `*`-prefixed field always includes the
        // 1st and Sunday, which every month has in some year.
        guard !eitherDayMatches else { return }
        let someDayExists = (1...12).contains { month in
            months.contains(month)
                && daysOfMonth.first(atLeast: 1, through: CivilDate.daysIn(month: month, leapYear: true)) != nil
        }
        if !someDayExists {
            throw ConfigValueError("cron expression never fires: none of its months has any of its days of the month")
        }
    }

    func matches(_ day: CivilDate) -> Bool {
        guard months.contains(day.month) else { return false }
        let dayOfMonth = daysOfMonth.contains(day.day)
        let dayOfWeek = daysOfWeek.contains(day.weekday)
        return eitherDayMatches ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek
    }

    /// The first matching minute strictly after `date`, on wall clocks in `timeZone`.
    ///
    /// Daylight-saving changes are handled as Vixie cron does. An expression whose minute or
    /// hour field starts with `*` runs on the real clock: through a repeated hour it fires
    /// again, and in a skipped hour it does not fire. Any other expression names wall-clock
    /// times: a skipped time fires right after the jump, a repeated one once.
    func next(after date: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        let firstDay = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)
        var day = firstDay
        // Every pattern repeats within the 400-year Gregorian cycle; checkCanFire guarantees a match.
        while day.year <= firstDay.year + 400 {
            guard months.contains(day.month) else {
                day = day.firstOfNextMonth()
                continue
            }
            if matches(day) {
                let fire =
                    if runsOnRealClock {
                        firstInstant(on: day, from: day == firstDay ? start : nil, calendar: calendar)
                    } else {
                        firstWallClockTime(
                            on: day, notBefore: day == firstDay ? (parts.hour!, parts.minute!) : (0, 0),
                            after: date, calendar: calendar)
                    }
                if let fire { return fire }
            }
            day = day.next()
        }
        return .distantFuture
    }

    /// Walks real minutes through `day` (from `start`, or its first instant), reading each
    /// one's wall clock, and returns the first that matches.
    private func firstInstant(on day: CivilDate, from start: Date?, calendar: Calendar) -> Date? {
        guard var instant = start ?? calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
        else { return nil }
        while true {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
            guard CivilDate(year: parts.year!, month: parts.month!, day: parts.day!) == day else { return nil }
            let (hour, minute) = (parts.hour!, parts.minute!)
            if hours.contains(hour), minutes.contains(minute) { return instant }
            let nextMinute = hours.contains(hour) ? minutes.first(atLeast: minute + 1, through: 59) : nil
            instant += Double(((nextMinute ?? 60) - minute) * 60)
        }
    }

    /// The first matching wall-clock time on `day` from `earliest` whose (first) instant is
    /// after `date`.
    private func firstWallClockTime(
        on day: CivilDate,
        notBefore earliest: (hour: Int, minute: Int),
        after date: Date,
        calendar: Calendar
    ) -> Date? {
        var hour = hours.first(atLeast: earliest.hour, through: 23)
        while let currentHour = hour {
            var minute = minutes.first(atLeast: currentHour == earliest.hour ? earliest.minute : 0, through: 59)
            while let currentMinute = minute {
                let components = DateComponents(
                    year: day.year, month: day.month, day: day.day, hour: currentHour, minute: currentMinute)
                if let fire = calendar.date(from: components), fire > date { return fire }
                minute = minutes.first(atLeast: currentMinute + 1, through: 59)
            }
            hour = hours.first(atLeast: currentHour + 1, through: 23)
        }
        return nil
    }
}
