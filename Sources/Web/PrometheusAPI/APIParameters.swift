import Config
import PromQL

/// Reading the query API's parameters as Prometheus reads them (`web/api/v1`): times as Unix
/// seconds or RFC 3339, durations as Prometheus durations or seconds, limits as counts.
public enum APIParameters {
    /// The `query` parameter parsed; a parse failure becomes the error `failure` makes of its
    /// text (Prometheus answers some endpoints `bad_data`, others an invalid parameter).
    public static func query(_ form: FormValues, _ failure: (String) -> APIError) throws(APIError) -> Expr {
        do {
            return try PromQLParser.parse(form["query"])
        } catch let error as ParseError {
            throw failure(error.description)
        } catch {
            throw failure("\(error)")
        }
    }

    /// The earliest time an optional `start` defaults to, in milliseconds (Prometheus's `MinTime`).
    public static let minTime: Int64 = (Int64.min / 1000 + 62_135_596_801) * 1000
    /// The latest time an optional `end` defaults to, in milliseconds (Prometheus's `MaxTime`).
    public static let maxTime: Int64 = (Int64.max / 1000 - 62_135_596_801) * 1000 + 999
    /// How `MinTime` and `MaxTime` are spelled in RFC 3339, as clients send them back.
    static let minTimeText = "-292273086-05-16T16:47:06Z"
    static let maxTimeText = "292277025-08-18T07:12:54.999999999Z"

    /// The most points a range query may return per series.
    public static let maxPointsPerSeries: Int64 = 11_000

    /// Parses a time: Unix seconds (fractions rounded to the millisecond) or RFC 3339; returns
    /// milliseconds since the epoch. The error is Prometheus's `cannot parse "x" to a valid timestamp`.
    public static func time(_ text: String) throws(APIError) -> Int64 {
        if isGoFloat(text), let seconds = Double(text) {
            guard seconds.isFinite, abs(seconds) < 9.2e15 else { throw badTimestamp(text) }
            let whole = seconds.rounded(.towardZero)
            return Int64(whole) * 1000 + Int64(((seconds - whole) * 1000).rounded())
        }
        if text == minTimeText { return minTime }
        if text == maxTimeText { return maxTime }
        if let milliseconds = rfc3339(text) { return milliseconds }
        throw badTimestamp(text)
    }

    /// Reads the optional time parameter `name` from `form`, or `defaultValue` when absent;
    /// the error is `invalid parameter "name": Invalid time value for 'name': ...`.
    public static func time(_ form: FormValues, _ name: String, default defaultValue: Int64) throws(APIError)
        -> Int64
    {
        let text = form[name]
        guard !text.isEmpty else { return defaultValue }
        do {
            return try time(text)
        } catch {
            throw .invalidParameter(name, "Invalid time value for '\(name)': \(error.message)")
        }
    }

    /// Parses a duration: seconds as a number (`15`, `0.5`) or a Prometheus duration (`1m30s`);
    /// returns nanoseconds, as Go's `time.Duration` holds it.
    public static func duration(_ text: String) throws(APIError) -> Int64 {
        if isGoFloat(text), let seconds = Double(text) {
            let nanoseconds = seconds * 1e9
            guard nanoseconds.isFinite, nanoseconds < 9.223372036854775e18, nanoseconds > -9.223372036854775e18
            else {
                throw APIError(.badData, "cannot parse \"\(text)\" to a valid duration. It overflows int64")
            }
            return Int64(nanoseconds)
        }
        if let parsed = try? PromDuration.parse(text) { return parsed.milliseconds * 1_000_000 }
        throw APIError(.badData, "cannot parse \"\(text)\" to a valid duration")
    }

    /// Parses `limit`: empty for none (0), otherwise a non-negative integer.
    public static func limit(_ text: String) throws(APIError) -> Int {
        guard !text.isEmpty else { return 0 }
        guard let value = Int(text) else {
            throw .invalidParameter("limit", "strconv.Atoi: parsing \"\(text)\": invalid syntax")
        }
        guard value >= 0 else { throw .invalidParameter("limit", "limit must be non-negative") }
        return value
    }

    private static func badTimestamp(_ text: String) -> APIError {
        APIError(.badData, "cannot parse \"\(text)\" to a valid timestamp")
    }

    /// Whether `text` is a number Go's `strconv.ParseFloat` reads as Swift does: digits, sign,
    /// point and exponent only (Swift would also take hex floats and `nan`/`inf` spellings,
    /// which Prometheus clients never send).
    private static func isGoFloat(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "e")
                    || $0 == UInt8(ascii: "E")
            }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into milliseconds (fractions below the
    /// millisecond dropped, as Prometheus's `timestamp.FromTime` drops them).
    static func rfc3339(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("T"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        var milliseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if digits < 3 { milliseconds = milliseconds * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { milliseconds *= 10 }
        }
        var offsetSeconds = 0
        if expect("Z") {
            offsetSeconds = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), offsetHours < 24,
                offsetMinutes < 60
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(milliseconds)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
