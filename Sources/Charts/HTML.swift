import Foundation
/// HTML text helpers for the server-rendered pages and reports.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in element content and attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A number for people: up to four significant digits, SI prefixes for large and small values.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        let prefixes: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ")]
        for (scale, prefix) in prefixes where magnitude >= scale {
            return trimmed(value / scale) + prefix
        }
        return trimmed(value / 1e-9) + "n"
    }

    private static func trimmed(_ value: Double) -> String {
        let digits = abs(value) >= 100 ? 1 : abs(value) >= 10 ? 2 : 3
        var text = String(format: "%.\(digits)f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `fraction` as a percentage with two decimals: `99.95%`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        return String(format: "%.2f%%", fraction * 100)
    }

    /// Milliseconds since the epoch as `2026-12-01 06:16:52 UTC`.
    public static func time(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// A duration in seconds for people: `850ms`, `12.3s`, `4m5s`, `3h0m`.
    public static func duration(seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60)m\(whole % 60)s" }
        return "\(whole / 3600)h\(whole % 3600 / 60)m"
    }
}
