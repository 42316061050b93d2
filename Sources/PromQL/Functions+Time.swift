import Foundation

extension Evaluator {
    /// Date functions of a Unix time in seconds, evaluated in UTC.
    static let dateFunctions: [String: @Sendable (Double) -> Double] = [
        "minute": { component(.minute, $0) },
        "hour": { component(.hour, $0) },
        "day_of_week": { component(.weekday, $0) - 1 },
        "day_of_month": { component(.day, $0) },
        "day_of_year": { component(.dayOfYear, $0) },
        "month": { component(.month, $0) },
        "year": { component(.year, $0) },
        "days_in_month": { seconds in
            guard let date = utcDate(seconds) else { return .nan }
            return Double(utcCalendar.range(of: .day, in: .month, for: date)?.count ?? 0)
        },
    ]

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    /// The date of a Unix time, truncating fractional seconds as Go's `time.Unix(int64(f), 0)` does.
    static func utcDate(_ seconds: Double) -> Date? {
        guard seconds.isFinite, abs(seconds) < 1e17 else { return nil }
        return Date(timeIntervalSince1970: Double(Int64(seconds)))
    }

    static func component(_ component: Calendar.Component, _ seconds: Double) -> Double {
        guard let date = utcDate(seconds) else { return .nan }
        return Double(utcCalendar.component(component, from: date))
    }
}
