/// Duration spellings promtool prints.
enum GoDurationText {
    /// Go's `time.Duration.String()` for whole milliseconds: `0s`, `1m0s`, `1h2m3.5s`, `500ms`.
    static func goString(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        let negative = milliseconds < 0
        let ms = abs(milliseconds)
        var text: String
        if ms < 1000 {
            text = "\(ms)ms"
        } else {
            let hours = ms / 3_600_000
            let minutes = ms / 60_000 % 60
            let seconds = ms / 1000 % 60
            let fraction = ms % 1000
            var secondsText = "\(seconds)"
            if fraction > 0 {
                var f = String(fraction)
                f = String(repeating: "0", count: 3 - f.count) + f
                while f.hasSuffix("0") { f.removeLast() }
                secondsText += "." + f
            }
            text = ""
            if hours > 0 { text += "\(hours)h" }
            if hours > 0 || minutes > 0 { text += "\(minutes)m" }
            text += secondsText + "s"
        }
        return negative ? "-" + text : text
    }

    /// Prometheus's `model.Duration.String()`: `0s`, `1m`, `1h30m`, `90d`.
    static func modelString(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var ms = milliseconds
        var text = ""
        let units: [(String, Int64, Bool)] = [
            ("y", 31_536_000_000, true), ("w", 604_800_000, true), ("d", 86_400_000, false),
            ("h", 3_600_000, false), ("m", 60_000, false), ("s", 1000, false), ("ms", 1, false),
        ]
        for (unit, size, exact) in units {
            if exact && ms % size != 0 { continue }
            let count = ms / size
            if count > 0 {
                text += "\(count)\(unit)"
                ms -= count * size
            }
        }
        return text
    }
}

/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: `1E+00`, `1.5E-03`, `NaN`, `+Inf`.
func goExponentForm(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == 0 { return value.sign == .minus ? "-0E+00" : "0E+00" }
    let text = abs(value).description
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let intPart = String(parts[0])
    var digits = intPart + (parts.count > 1 ? String(parts[1]) : "")
    var pointExponent = intPart.count - 1 + exponent
    while digits.hasPrefix("0") && digits.count > 1 {
        digits.removeFirst()
        pointExponent -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    var out = value < 0 ? "-" : ""
    out += String(digits.prefix(1))
    if digits.count > 1 { out += "." + digits.dropFirst() }
    let e = String(abs(pointExponent))
    return out + "E" + (pointExponent < 0 ? "-" : "+") + (e.count < 2 ? "0" : "") + e
}
