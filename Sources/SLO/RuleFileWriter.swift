/// Writes Prometheus rule files as YAML: every string double-quoted (JSON's escaping is valid
/// YAML), expressions as literal blocks, so any text round-trips.
struct RuleFileWriter {
    /// One rule, in the order its fields are written.
    struct Rule {
        var record: String?
        var alert: String?
        var expr: String
        var forDuration: String?
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
    }

    /// One group.
    struct Group {
        var name: String
        var interval: String?
        var rules: [Rule]
    }

    private(set) var text = ""

    init(header: String) {
        for line in header.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "# \(line)\n"
        }
        text += "groups:\n"
    }

    mutating func write(_ group: Group) {
        text += "  - name: \(Self.quote(group.name))\n"
        if let interval = group.interval { text += "    interval: \(interval)\n" }
        text += "    rules:\n"
        for rule in group.rules {
            if let record = rule.record { text += "      - record: \(Self.quote(record))\n" }
            if let alert = rule.alert { text += "      - alert: \(Self.quote(alert))\n" }
            text += "        expr: |-\n"
            for line in rule.expr.split(separator: "\n") { text += "          \(line)\n" }
            if let forDuration = rule.forDuration { text += "        for: \(forDuration)\n" }
            map("labels", rule.labels)
            map("annotations", rule.annotations)
        }
    }

    private mutating func map(_ key: String, _ values: [String: String]) {
        guard !values.isEmpty else { return }
        text += "        \(key):\n"
        for name in values.keys.sorted() {
            text += "          \(name): \(Self.quote(values[name] ?? ""))\n"
        }
    }

    /// `value` as a double-quoted YAML scalar.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
