/// Number and duration formatting as Go's `fmt` and Prometheus's `model.Duration` render them.
public enum Formatting {
    /// Shortest round-trip digits, in exponent form when the decimal exponent is below -4 or at
    /// least `exponentFrom`.
    static func goFloat(_ value: Double, exponentFrom: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (negative, digits, exponent) = decompose(value)
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= exponentFrom {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expSign = exponent < 0 ? "-" : "+"
            let expDigits = String(abs(exponent))
            return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" : "") + expDigits
        }
        return sign + plain(digits: digits, exponent: exponent)
    }

    /// Go's `%v`/`%g` for a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): `1e+06`, `0.5`, `NaN`.
    public static func goDefault(_ value: Double) -> String {
        goFloat(value, exponentFrom: 6)
    }

    /// Go's `strconv.FormatFloat(f, 'e', -1, 64)`: shortest digits, always an exponent
    /// (`1e+00`, `2.5e-01`), as Prometheus's API writes an alert's value.
    public static func goExponent(_ value: Double) -> String {
        goFloat(value, exponentFrom: .min)
    }

    /// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent.
    public static func goFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Integers up to 2^53 are their digits; Swift prints other values from 1e-4 up in plain
        // decimal with the same shortest digits. Only the rest needs taking apart.
        let magnitude = value.magnitude
        if magnitude <= 9_007_199_254_740_992, magnitude == magnitude.rounded(.towardZero) {
            return String(Int64(value))
        }
        let text = value.description
        if !text.utf8.contains(UInt8(ascii: "e")) { return text }
        let (negative, digits, exponent) = decompose(value)
        return (negative ? "-" : "") + plain(digits: digits, exponent: exponent)
    }

    private static func plain(digits: String, exponent: Int) -> String {
        if exponent < 0 {
            return "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        if digits.count <= exponent + 1 {
            return digits + String(repeating: "0", count: exponent + 1 - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return String(digits[..<split]) + "." + String(digits[split...])
    }

    /// Splits a finite non-zero double into sign, shortest significant digits and decimal exponent.
    private static func decompose(_ value: Double) -> (Bool, String, Int) {
        let text = abs(value).description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var pointExponent = intPart.count - 1 + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointExponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (value < 0, digits, pointExponent)
    }

    /// Formats milliseconds as Prometheus's `model.Duration` does, e.g. `1h30m`, `1s500ms`, `0s`.
    public static func duration(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var ms = milliseconds
        var out = ""
        let units: [(String, Int64)] = [
            ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ]
        for (unit, size) in units where ms >= size {
            out += "\(ms / size)\(unit)"
            ms %= size
        }
        return out
    }
}
