import Foundation

/// Prometheus's `humanize*` template functions, rendering as Go's `%.4g` does.
enum Humanize {
    private static func g4(_ v: Double) -> String { GoFormat.float(v, verb: "g", precision: 4) }

    /// `humanize`: SI prefixes (k, M, ... and m, u, ...), 4 significant digits.
    static func humanize(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        if abs(v) >= 1 {
            var prefix = ""
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
            return g4(v) + prefix
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix
    }

    /// `humanize1024`: binary prefixes (ki, Mi, ...).
    static func humanize1024(_ value: Double) -> String {
        var v = value
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    /// `humanizeDuration`: seconds as `1d 2h 3m 4s`, or `1.5s`, `150ms`.
    static func duration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let total = Int64(v)
            let seconds = total % 60
            let minutes = (total / 60) % 60
            let hours = (total / 3600) % 24
            let days = total / 86400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// `humanizePercentage`: a ratio as a percentage, `0.1234` → `12.34%`.
    static func percentage(_ value: Double) -> String {
        g4(value * 100) + "%"
    }

    /// Seconds since the epoch as Prometheus's `floatToTime` does: millisecond precision, UTC.
    static func time(_ value: Double) throws -> TemplateValue {
        let nanos = value * 1e9
        guard nanos < 9.223372036854775807e18, nanos >= -9.223372036854775808e18 else {
            throw TemplateFunctionError(
                message:
                    "\(GoFormat.float(value, verb: "g", precision: nil)) cannot be represented as a nanoseconds timestamp since it overflows int64"
            )
        }
        let ms = Int64(nanos) / 1_000_000
        var seconds = ms / 1000
        var remainder = ms % 1000
        if remainder < 0 {
            seconds -= 1
            remainder += 1000
        }
        return .time(seconds: seconds, nanoseconds: remainder * 1_000_000)
    }

    /// `humanizeTimestamp`: seconds since the epoch as Go prints a UTC `time.Time`.
    static func timestamp(_ value: Double) throws -> String {
        if value.isNaN || value.isInfinite { return g4(value) }
        return try time(value).printed
    }
}
