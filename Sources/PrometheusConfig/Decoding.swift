import Config
import Series

/// What every decoder needs besides the node: where relative paths start and what
/// `${VAR}` in `external_labels` expands from.
struct DecodeContext {
    /// The directory of the configuration file.
    var directory: String
    /// The environment `external_labels` values expand from.
    var environment: [String: String]

    func resolve(_ path: String) -> String {
        ConfigPaths.resolve(path, relativeTo: directory)
    }
}

extension ConfigMapping {
    /// `in scrape_configs[0]`, or `at top level`, for messages about this mapping's keys.
    var location: String {
        node.path.isEmpty ? "at top level" : "in \(node.path)"
    }

    /// Throws at the first key that names a Prometheus feature llmwatch does not implement, with
    /// the reason; call it before `rejectUnknownKeys`, so a real Prometheus field gets an honest
    /// "not supported" rather than "unknown field".
    func rejectUnsupported(_ fields: [String: String]) throws(ConfigError) {
        for entry in entries {
            if let reason = fields[entry.key] {
                throw entry.keyNode.error(
                    "field \"\(entry.key)\" \(location) is not supported by llmwatch: \(reason)")
            }
        }
    }

    /// Rejects every `<name>_sd_configs` key but `file_sd_configs`: service discovery mechanisms
    /// llmwatch does not implement.
    func rejectServiceDiscovery() throws(ConfigError) {
        for entry in entries where entry.key.hasSuffix("_sd_configs") && entry.key != "file_sd_configs" {
            let mechanism = entry.key.dropLast("_sd_configs".count)
            throw entry.keyNode.error(
                "field \"\(entry.key)\" \(location) is not supported by llmwatch: "
                    + "\(mechanism) service discovery is not implemented; use static_configs, or file_sd_configs "
                    + "with a file written by a discovery sidecar")
        }
    }

    /// The value under `key` as a string, nil when absent or null.
    func string(_ key: String) throws(ConfigError) -> String? {
        try optional(key)?.string()
    }

    /// The value under `key` as a boolean, or `fallback` when absent or null.
    func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        try optional(key)?.bool() ?? fallback
    }

    /// The value under `key` as a non-negative integer (Go's `uint`), 0 when absent.
    func unsigned(_ key: String) throws(ConfigError) -> Int {
        guard let node = optional(key) else { return 0 }
        let value = try node.int()
        guard value >= 0 else {
            throw node.error("\(key) must be zero or a positive integer, got \(value)")
        }
        return value
    }

    /// The value under `key` as a Prometheus duration, nil when absent or null.
    func duration(_ key: String) throws(ConfigError) -> PromDuration? {
        try optional(key)?.promDuration()
    }

    /// The node a message about `key` should point at: the value when present, else the mapping.
    func position(_ key: String) -> ConfigNode {
        entries.first { $0.key == key }?.value ?? node
    }
}

extension ConfigNode {
    /// A list whose items may not be null, as Prometheus's "empty or null ... section" checks.
    func items(nullMessage: String) throws(ConfigError) -> [ConfigNode] {
        let list = try sequence()
        for item in list where item.isNull {
            throw item.error(nullMessage)
        }
        return list
    }

    /// A mapping of label names to values, names checked as Prometheus 2's `model.LabelSet` does.
    func labelSet() throws(ConfigError) -> [Label] {
        var labels: [Label] = []
        for entry in try mapping().entries {
            guard Labels.isLegacyLabelName(entry.key) else {
                throw entry.keyNode.error("\(Labels.quote(entry.key)) is not a valid label name")
            }
            let value = entry.value.isNull ? "" : try entry.value.string()
            labels.append(Label(name: entry.key, value: value))
        }
        return labels
    }
}
