import Config
import Foundation
import Series

/// A group of targets sharing labels: one entry of `static_configs`, or of a file_sd target file.
public struct TargetGroup: Sendable, Hashable {
    /// The `host:port` addresses, each becoming a target's `__address__`.
    public var targets: [String]
    /// Labels every target of the group gets (unless the target sets them itself).
    public var labels: Labels
    /// Where the group came from: its index in `static_configs`, or `file:index` for file_sd.
    public var source: String

    /// Creates a group.
    public init(targets: [String], labels: Labels = .empty, source: String = "") {
        self.targets = targets
        self.labels = labels
        self.source = source
    }

    /// Reads one `{targets: [...], labels: {...}}` mapping.
    static func decode(_ node: ConfigNode, source: String) throws(ConfigError) -> TargetGroup {
        let mapping = try node.mapping()
        var targets: [String] = []
        for item in try mapping.optional("targets")?.sequence() ?? [] {
            targets.append(item.isNull ? "" : try item.string())
        }
        let labels = Labels(try mapping.optional("labels")?.labelSet() ?? [])
        try mapping.rejectUnknownKeys()
        return TargetGroup(targets: targets, labels: labels, source: source)
    }
}

/// `file_sd_configs` entry: target files found by glob, re-read every `refresh_interval` and
/// when they change.
public struct FileSDConfig: Sendable, Hashable {
    /// The patterns as written.
    public var patterns: [String]
    /// The patterns resolved against the configuration file's directory.
    public var files: [String]
    /// `refresh_interval`; 5m by default.
    public var refreshInterval: PromDuration

    /// The default refresh interval.
    public static let defaultRefreshInterval = PromDuration(milliseconds: 5 * 60_000)!

    /// Creates a config; `files` are the resolved patterns.
    public init(patterns: [String], files: [String], refreshInterval: PromDuration = FileSDConfig.defaultRefreshInterval) {
        self.patterns = patterns
        self.files = files
        self.refreshInterval = refreshInterval
    }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> FileSDConfig {
        let mapping = try node.mapping()
        let filesNode = mapping.optional("files")
        var patterns: [String] = []
        for item in try filesNode?.sequence() ?? [] {
            let pattern = try item.string()
            guard Self.isValidPattern(pattern) else {
                throw item.error(
                    "path name \(Labels.quote(pattern)) is not valid for file discovery: it must end in .json, .yml "
                        + "or .yaml and have at most one *, in its last path element")
            }
            patterns.append(pattern)
        }
        let refresh = try mapping.duration("refresh_interval") ?? defaultRefreshInterval
        try mapping.rejectUnknownKeys()
        if patterns.isEmpty {
            throw (filesNode ?? node).error("file service discovery config must contain at least one path name")
        }
        return FileSDConfig(patterns: patterns, files: patterns.map(context.resolve), refreshInterval: refresh)
    }

    /// Prometheus's `^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$`.
    static func isValidPattern(_ pattern: String) -> Bool {
        let extensions = [".json", ".yml", ".yaml", ".JSON", ".YML", ".YAML"]
        guard let suffix = extensions.first(where: { pattern.hasSuffix($0) }) else { return false }
        let stem = pattern.dropLast(suffix.count)
        guard let star = stem.firstIndex(of: "*") else { return true }
        return !stem[star...].contains("/")
    }
}

/// Reads file_sd target files: a list of target groups in JSON (`.json`) or YAML (other names),
/// each group labelled `__meta_filepath` with the file's path.
public enum TargetGroupFile {
    /// The label file_sd adds to every group: the path of the file it came from.
    public static let filePathLabel = "__meta_filepath"

    /// The groups in the file at `path`; the error says what is wrong and where.
    public static func read(path: String) throws(ConfigError) -> [TargetGroup] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, column: 0, message: "cannot read target file")
        }
        return try parse(data, path: path)
    }

    /// The groups in `data`, read as JSON when `path` ends in `.json` (in any case), else YAML.
    public static func parse(_ data: Data, path: String) throws(ConfigError) -> [TargetGroup] {
        let groups: [TargetGroup]
        if path.lowercased().hasSuffix(".json") {
            groups = try parseJSON(data, path: path)
        } else {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, line: 0, column: 0, message: "file is not valid UTF-8")
            }
            let root = try ConfigLoader.parse(text, file: path, environment: [:])
            var result: [TargetGroup] = []
            for (index, node) in try root.items(nullMessage: "nil target group item found").enumerated() {
                result.append(try TargetGroup.decode(node, source: "\(path):\(index)"))
            }
            groups = result
        }
        return groups.map { group in
            var group = group
            group.labels = group.labels.setting(filePathLabel, to: path)
            return group
        }
    }

    private static func parseJSON(_ data: Data, path: String) throws(ConfigError) -> [TargetGroup] {
        func failure(_ message: String) -> ConfigError {
            ConfigError(file: path, line: 0, column: 0, message: message)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw failure("invalid JSON: \((error as NSError).localizedDescription)")
        }
        if object is NSNull { return [] }
        guard let list = object as? [Any] else {
            throw failure("expected a JSON list of target groups ({\"targets\": [...], \"labels\": {...}})")
        }
        var groups: [TargetGroup] = []
        for (index, item) in list.enumerated() {
            if item is NSNull { throw failure("nil target group item found (group \(index))") }
            guard let fields = item as? [String: Any] else {
                throw failure("target group \(index): expected an object with \"targets\" and \"labels\"")
            }
            for key in fields.keys where key != "targets" && key != "labels" {
                throw failure("target group \(index): unknown field \"\(key)\"")
            }
            var targets: [String] = []
            switch fields["targets"] {
            case nil, is NSNull: break
            case let list as [Any]:
                for target in list {
                    guard let text = target as? String else {
                        throw failure("target group \(index): targets must be strings")
                    }
                    targets.append(text)
                }
            default:
                throw failure("target group \(index): \"targets\" must be a list of strings")
            }
            var labels: [Label] = []
            switch fields["labels"] {
            case nil, is NSNull: break
            case let map as [String: Any]:
                for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                    guard Labels.isLegacyLabelName(name) else {
                        throw failure("target group \(index): \(Labels.quote(name)) is not a valid label name")
                    }
                    guard let text = value as? String else {
                        throw failure("target group \(index): the value of label \(name) must be a string")
                    }
                    labels.append(Label(name: name, value: text))
                }
            default:
                throw failure("target group \(index): \"labels\" must be an object of strings")
            }
            groups.append(TargetGroup(targets: targets, labels: Labels(labels), source: "\(path):\(index)"))
        }
        return groups
    }
}
