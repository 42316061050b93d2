import Foundation

/// When a probe or report runs: a fixed interval or wall-clock times.
///
/// `Schedule.parse` accepts three spellings:
/// - a Prometheus duration (`30s`, `5m`, `1h30m`) or `every 10 minutes` / `@every 5m`: a fixed
///   interval, which the prober runs on a monotonic clock (see `interval`);
/// - a five-field cron expression (`*/5 * * * *`, `0 9 * * mon-fri`), with Vixie cron's rules;
/// - a phrase: `hourly`, `daily`, `weekly`, `monthly`, `yearly` (and `@hourly` style macros),
///   `*/30 minutes`, `*/6 hours`, `daily at 14:30`, `weekly on sunday at 3:00`,
///   `monthly on 1st at 10:00`. Each phrase is shorthand for a cron expression: `*/6 hours`
///   is `0 */6 * * *` (00:00, 06:00, 12:00, 18:00), and `monthly on 31st` skips months that
///   have no 31st, as cron does. `every day at 8:00` and `every monday at 9:00` work too.
///
/// Wall-clock times are in `timeZone`, UTC unless given. In a zone with daylight saving, an
/// expression whose minute or hour field starts with `*` (`*/30 minutes`, `*/6 hours`) follows
/// the real clock, while one naming a time (`daily at 2:30`) fires once a day even when 2:30
/// is skipped (right after the jump) or repeated (the first time), as Vixie cron does.
public struct Schedule: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case interval(PromDuration)
        case cron(CronExpression)
    }

    let kind: Kind

    /// The text the schedule was parsed from, as written.
    public let text: String

    /// The time zone wall-clock schedules are evaluated in; irrelevant for intervals.
    public let timeZone: TimeZone

    /// For a wall-clock schedule, the equivalent five-field cron expression (`0 2 * * *` for
    /// `daily at 2:00`); nil for intervals.
    public let cronExpression: String?

    /// Coordinated Universal Time, the default zone for schedules.
    public static let utc = TimeZone.gmt

    /// Parses a duration, cron expression or phrase; the error lists the accepted forms.
    public static func parse(_ text: String, timeZone: TimeZone = utc) throws(ConfigValueError) -> Schedule {
        let normalized = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if let duration = try? PromDuration.parse(normalized) {
            return try Schedule(interval: duration, text: text, timeZone: timeZone)
        }
        if let phrase = try SchedulePhrase.parse(normalized) {
            switch phrase {
            case .interval(let duration): return try Schedule(interval: duration, text: text, timeZone: timeZone)
            case .cron(let cron): return try Schedule(cron: cron, text: text, timeZone: timeZone)
            }
        }
        if looksLikeCron(normalized) {
            return try Schedule(cron: normalized, text: text, timeZone: timeZone)
        }
        throw ConfigValueError(
            "unrecognised schedule \(ConfigNode.quote(text)); write a duration (30s, 5m), "
                + "a cron expression (*/5 * * * *), or one of: every 10 minutes, */30 minutes, */6 hours, "
                + "hourly, daily, daily at 14:30, weekly, weekly on sunday at 3:00, monthly on 1st at 10:00")
    }

    private init(interval: PromDuration, text: String, timeZone: TimeZone) throws(ConfigValueError) {
        guard interval.milliseconds > 0 else {
            throw ConfigValueError("a schedule's interval must be longer than 0")
        }
        self.kind = .interval(interval)
        self.text = text
        self.timeZone = timeZone
        self.cronExpression = nil
    }

    private init(cron: String, text: String, timeZone: TimeZone) throws(ConfigValueError) {
        self.kind = .cron(try CronExpression.parse(cron))
        self.text = text
        self.timeZone = timeZone
        self.cronExpression = cron
    }

    /// Fields of digits, `*`, `,`, `-`, `/` and names: anything else is no cron expression.
    private static func looksLikeCron(_ text: String) -> Bool {
        let fields = text.split(separator: " ")
        guard fields.count >= 3, fields[0].allSatisfy({ !$0.isLetter }) else { return false }
        return fields.allSatisfy { field in
            field.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "*,-/".contains($0)) }
        }
    }

    /// For a fixed-interval schedule, the interval; nil for wall-clock (cron) schedules.
    public var interval: Duration? {
        if case .interval(let duration) = kind { return duration.duration }
        return nil
    }

    /// The first time strictly after `date` the schedule fires. For an interval that is
    /// `date + interval`; for cron, the next matching minute in `timeZone`.
    public func nextFire(after date: Date) -> Date {
        switch kind {
        case .interval(let duration):
            date.addingTimeInterval(Double(duration.milliseconds) / 1000)
        case .cron(let cron):
            cron.next(after: date, in: timeZone)
        }
    }

    /// The text as written.
    public var description: String { text }

    /// Schedules are equal when they fire at the same times, however they were spelt.
    public static func == (lhs: Schedule, rhs: Schedule) -> Bool {
        lhs.kind == rhs.kind && (lhs.interval != nil || lhs.timeZone == rhs.timeZone)
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        if interval == nil {
            hasher.combine(timeZone)
        }
    }
}
