/// A duration written the Prometheus way: `1y2w3d4h5m6s7ms`, `30s`, `0`.
///
/// Parsing and formatting follow Prometheus's `model.ParseDuration` and `Duration.String()`:
/// units y (365d), w (7d), d (24h), h, m, s, ms, each at most once and from largest to
/// smallest; whole numbers only; a bare `0` is allowed; nothing negative; at most about 292
/// years (the range of Go's nanosecond `time.Duration`).
public struct PromDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in milliseconds, Prometheus's resolution.
    public let milliseconds: Int64

    /// The largest duration Prometheus accepts: `Int64.max` nanoseconds, in whole milliseconds.
    public static let max = PromDuration(uncheckedMilliseconds: Int64.max / 1_000_000)

    /// A duration of `milliseconds`; nil if negative or beyond `PromDuration.max`.
    public init?(milliseconds: Int64) {
        guard milliseconds >= 0, milliseconds <= Self.max.milliseconds else { return nil }
        self.milliseconds = milliseconds
    }

    /// A duration of `seconds`, rounded to the millisecond; nil if negative, not finite, or too long.
    public init?(seconds: Double) {
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds.isFinite, milliseconds >= 0, milliseconds <= Double(Self.max.milliseconds) else {
            return nil
        }
        self.init(milliseconds: Int64(milliseconds))
    }

    private init(uncheckedMilliseconds: Int64) {
        milliseconds = uncheckedMilliseconds
    }

    /// The same length as a `Swift.Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }

    private static let units: [(symbol: String, milliseconds: Int64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses Prometheus's duration syntax; the error says which part is wrong.
    public static func parse(_ text: String) throws(ConfigValueError) -> PromDuration {
        switch text {
        case "0": return PromDuration(uncheckedMilliseconds: 0)
        case "": throw ConfigValueError("empty duration")
        default: break
        }
        let invalid = ConfigValueError(
            "not a valid duration: write whole numbers with units y, w, d, h, m, s, ms from largest to smallest, like 1h30m"
        )
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnit = -1
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            let symbol = rest.dropFirst(digits.count).prefix(while: { !($0.isASCII && $0.isNumber) })
            rest = rest.dropFirst(digits.count + symbol.count)
            guard !digits.isEmpty, !symbol.isEmpty else { throw invalid }
            guard let unit = units.firstIndex(where: { $0.symbol == symbol }) else {
                throw ConfigValueError("unknown unit \"\(symbol)\" in duration; use y, w, d, h, m, s or ms")
            }
            guard unit > lastUnit else {
                throw ConfigValueError("units in a duration must go from largest to smallest, each once, like 1h30m")
            }
            lastUnit = unit
            let outOfRange = ConfigValueError("duration out of range (at most \(max))")
            guard let count = Int64(digits) else { throw outOfRange }
            let (product, productOverflows) = count.multipliedReportingOverflow(by: units[unit].milliseconds)
            let (sum, sumOverflows) = total.addingReportingOverflow(product)
            guard !productOverflows, !sumOverflows, sum <= max.milliseconds else { throw outOfRange }
            total = sum
        }
        return PromDuration(uncheckedMilliseconds: total)
    }

    /// The canonical spelling Prometheus prints: `0s`, `1h30m`, `90d` (years and weeks only
    /// when they divide the duration exactly, as `90d` reads better than `12w6d`).
    public var description: String {
        guard milliseconds > 0 else { return "0s" }
        var rest = milliseconds
        var text = ""
        for (index, unit) in Self.units.enumerated() {
            if index < 2, rest % unit.milliseconds != 0 { continue }
            let count = rest / unit.milliseconds
            if count > 0 {
                text += "\(count)\(unit.symbol)"
                rest -= count * unit.milliseconds
            }
        }
        return text
    }

    /// Orders by length.
    public static func < (lhs: PromDuration, rhs: PromDuration) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }
}
