import Config
import Series

extension RelabelConfig {
    /// Reads a list of rules; a null item is an error with `nullMessage`, as in Prometheus.
    static func decodeList(_ node: ConfigNode?, nullMessage: String) throws(ConfigError) -> [RelabelConfig] {
        guard let node else { return [] }
        var rules: [RelabelConfig] = []
        for item in try node.items(nullMessage: nullMessage) {
            rules.append(try decode(item))
        }
        return rules
    }

    /// Reads and validates one rule.
    static func decode(_ node: ConfigNode) throws(ConfigError) -> RelabelConfig {
        let mapping = try node.mapping()
        var config = RelabelConfig()
        if let list = mapping.optional("source_labels") {
            var names: [String] = []
            for item in try list.sequence() {
                let name = try item.string()
                guard Labels.isLegacyLabelName(name) else {
                    throw item.error("\(Labels.quote(name)) is not a valid label name")
                }
                names.append(name)
            }
            config.sourceLabels = names
            config.sourceLabelsWereSet = true
        } else if mapping.keys.contains("source_labels") {
            config.sourceLabelsWereSet = true
        }
        config.separator = try mapping.string("separator") ?? config.separator
        if mapping.keys.contains("regex") {
            let regexNode = mapping.optional("regex")
            let pattern = try regexNode?.string() ?? ""
            do {
                config.regex = try RelabelRegex(pattern)
            } catch {
                throw (regexNode ?? node).error(error.message)
            }
            config.regexWasSet = true
        }
        if let modulusNode = mapping.optional("modulus") {
            let text = try modulusNode.string()
            guard let modulus = UInt64(text) else {
                throw modulusNode.error("modulus must be a non-negative integer, got \(Labels.quote(text))")
            }
            config.modulus = modulus
        }
        config.targetLabel = try mapping.string("target_label") ?? ""
        config.replacement = try mapping.string("replacement") ?? config.replacement
        if let actionNode = mapping.optional("action") {
            let name = try actionNode.string()
            guard let action = RelabelAction(named: name) else {
                let names = RelabelAction.allCases.map(\.rawValue)
                let lowered = name.lowercased()
                var hint = "; use one of \(names.joined(separator: ", "))"
                if let closest = names.min(by: { editDistance(lowered, $0) < editDistance(lowered, $1) }),
                    editDistance(lowered, closest) <= max(1, name.count / 3)
                {
                    hint = "; did you mean \"\(closest)\"?"
                }
                throw actionNode.error("unknown relabel action \(Labels.quote(name))\(hint)")
            }
            config.action = action
        }
        try mapping.rejectUnknownKeys()
        do {
            try config.validate()
        } catch {
            let place = error.field.flatMap { field in mapping.entries.first { $0.key == field }?.value } ?? node
            throw place.error(error.message)
        }
        return config
    }
}

/// Levenshtein distance, for suggesting a relabel action.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
