import Series

/// The little JSON the notifier writes, built by hand so that the bytes are deterministic
/// (keys in a fixed order, no escaped slashes) and read like what Prometheus sends.
struct JSONText {
    private(set) var text = ""

    /// Appends `value` as a JSON string, escaping as Go's `encoding/json` does (including
    /// `<`, `>` and `&`, which Go escapes for HTML safety).
    mutating func string(_ value: String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    /// Appends raw JSON (a number, `true`, or an already encoded value).
    mutating func raw(_ json: String) {
        text += json
    }

    /// Appends `"key":`.
    mutating func key(_ name: String) {
        string(name)
        text += ":"
    }

    /// Appends a JSON object of `labels`, names sorted.
    mutating func object(_ labels: Labels) {
        text += "{"
        for (index, label) in labels.enumerated() {
            if index > 0 { text += "," }
            key(label.name)
            string(label.value)
        }
        text += "}"
    }
}
