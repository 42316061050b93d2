import Foundation

/// One node of a parsed YAML document, with the position it came from.
///
/// Config models read themselves from nodes through the typed readers below, which throw
/// `ConfigError`s that point at the node: `probe.yml:7:14: expected a duration like 30s or 5m,
/// got "5 minutes"`. Nodes are plain values; they are cheap to copy and safe to share.
public struct ConfigNode: Sendable {
    /// The shape of a node's content.
    public enum Kind: Sendable, Equatable {
        /// A scalar: text, number, boolean and the like.
        case scalar
        /// A mapping of keys to nodes.
        case mapping
        /// A sequence (list) of nodes.
        case sequence
        /// An explicit or implied null: `~`, `null`, or a key with nothing after it.
        case null
    }

    enum Content: Sendable {
        case scalar(String, quoted: Bool)
        case mapping([ConfigMapping.Entry])
        case sequence([ConfigNode])
        case null
    }

    let document: ConfigDocument
    let content: Content

    /// 1-based line where the node starts.
    public let line: Int
    /// 1-based column where the node starts, counted in Unicode scalars.
    public let column: Int
    /// Where the node sits in the document, such as `models[0].provider`; empty for the root.
    public let path: String

    init(document: ConfigDocument, content: Content, line: Int, column: Int, path: String) {
        self.document = document
        self.content = content
        self.line = line
        self.column = column
        self.path = path
    }

    /// The file name the document was loaded from, as used in error messages.
    public var file: String { document.file }

    /// The environment the document was loaded with; `expandedString()` reads variables from it.
    public var environment: [String: String] { document.environment }

    /// Whether the node is a scalar, mapping, sequence or null.
    public var kind: Kind {
        switch content {
        case .scalar: .scalar
        case .mapping: .mapping
        case .sequence: .sequence
        case .null: .null
        }
    }

    /// Whether the node is null, as a key written without a value is.
    public var isNull: Bool { kind == .null }

    /// Whether the node is a scalar written in quotes or as a block (`|`, `>`). Such a scalar
    /// is text even when it looks like a number or boolean: `"42"` is a string, `42` is not.
    public var isQuoted: Bool {
        if case .scalar(_, let quoted) = content { return quoted }
        return false
    }

    /// An error at this node's position.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message: message)
    }

    /// The node as a mapping. A null node reads as an empty mapping, so `global:` with nothing
    /// under it means "all defaults", as it does in Prometheus.
    public func mapping() throws(ConfigError) -> ConfigMapping {
        switch content {
        case .mapping(let entries): return ConfigMapping(node: self, entries: entries)
        case .null: return ConfigMapping(node: self, entries: [])
        default: throw error("expected a mapping of fields, got \(shapeDescription)")
        }
    }

    /// The node as a list. A null node reads as an empty list.
    public func sequence() throws(ConfigError) -> [ConfigNode] {
        switch content {
        case .sequence(let items): return items
        case .null: return []
        default: throw error("expected a list, got \(shapeDescription)")
        }
    }

    /// The scalar's text, exactly as written (no environment expansion).
    ///
    /// Any scalar reads as a string, so `version: 2` gives `"2"`. Null is an error: a field that
    /// may be absent should be read with `ConfigMapping.optional(_:)`.
    public func string() throws(ConfigError) -> String {
        guard case .scalar(let text, _) = content else {
            throw error("expected a string, got \(shapeDescription)")
        }
        return text
    }

    /// The scalar's text with `${VAR}`, `${VAR:-default}` and `$$` expanded from `environment`.
    ///
    /// A variable that is unset and has no default is an error at this node naming the
    /// variable; values are never included in messages, since they are often secrets.
    public func string(expandingEnvironment environment: [String: String]) throws(ConfigError) -> String {
        let text = try string()
        do {
            return try EnvironmentExpansion.expand(text, environment: environment)
        } catch {
            throw self.error(error.message)
        }
    }

    /// The scalar's text with environment variables expanded from the environment the
    /// document was loaded with (by default the process's). See `string(expandingEnvironment:)`.
    public func expandedString() throws(ConfigError) -> String {
        try string(expandingEnvironment: environment)
    }

    /// The scalar as a decimal integer, such as `3` or `-10`.
    public func int() throws(ConfigError) -> Int {
        let text = try scalarText(expecting: "an integer")
        guard let value = Int(text) else {
            throw error("expected an integer, got \(Self.quote(text))")
        }
        return value
    }

    /// The scalar as a floating-point number; also accepts YAML's `.inf`, `-.inf` and `.nan`.
    public func double() throws(ConfigError) -> Double {
        let text = try scalarText(expecting: "a number")
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            guard text.allSatisfy({ "0123456789+-.eE".contains($0) }), let value = Double(text) else {
                throw error("expected a number, got \(Self.quote(text))")
            }
            return value
        }
    }

    /// The scalar as a boolean: `true`/`false`, also YAML 1.1's `yes`/`no`/`on`/`off`, in any case.
    public func bool() throws(ConfigError) -> Bool {
        let text = try scalarText(expecting: "a boolean")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \(Self.quote(text))")
        }
    }

    /// The scalar as a Prometheus duration (`30s`, `1h30m`, `0`), keeping millisecond precision.
    ///
    /// With `allowingSeconds`, a plain number such as `300` or `1.5` is read as seconds, as
    /// some fields (`timeout: 300`) are written; it is off by default, as in Prometheus.
    public func promDuration(allowingSeconds: Bool = false) throws(ConfigError) -> PromDuration {
        let text = try scalarText(expecting: "a duration")
        if allowingSeconds, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let seconds = Double(text)
        {
            guard let value = PromDuration(seconds: seconds) else {
                throw error("duration of \(text) seconds is out of range")
            }
            return value
        }
        do {
            return try PromDuration.parse(text)
        } catch {
            let example = allowingSeconds ? "30s, 5m or a number of seconds" : "30s or 5m"
            let reason =
                !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber })
                ? "a duration needs a unit, such as \(text)s" : error.message
            throw self.error("expected a duration like \(example), got \(Self.quote(text)): \(reason)")
        }
    }

    /// The scalar as a Prometheus duration converted to `Swift.Duration`.
    /// See `promDuration(allowingSeconds:)`.
    public func duration(allowingSeconds: Bool = false) throws(ConfigError) -> Duration {
        try promDuration(allowingSeconds: allowingSeconds).duration
    }

    /// The mapping as `[String: String]`, for labels and headers. Values must be scalars.
    /// With an `environment`, each value is expanded as `string(expandingEnvironment:)` does.
    public func stringMap(
        expandingEnvironment environment: [String: String]? = nil
    ) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in try mapping().entries {
            if let environment {
                result[entry.key] = try entry.value.string(expandingEnvironment: environment)
            } else {
                result[entry.key] = try entry.value.string()
            }
        }
        return result
    }

    /// A list of scalars as strings. A single scalar is not accepted as a one-element list.
    public func stringList() throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try sequence() {
            result.append(try item.string())
        }
        return result
    }

    /// The scalar as a `Schedule` (a duration, a cron expression or a phrase such as
    /// `daily at 2:00`), evaluated in `timeZone`.
    public func schedule(timeZone: TimeZone = Schedule.utc) throws(ConfigError) -> Schedule {
        let text = try scalarText(expecting: "a schedule")
        do {
            return try Schedule.parse(text, timeZone: timeZone)
        } catch {
            throw self.error(error.message)
        }
    }

    private func scalarText(expecting what: String) throws(ConfigError) -> String {
        guard case .scalar(let text, _) = content else {
            throw error("expected \(what), got \(shapeDescription)")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The node's shape for "expected X, got Y" messages.
    var shapeDescription: String {
        switch content {
        case .scalar(let text, _): Self.quote(text)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "nothing (null)"
        }
    }

    /// The text in double quotes, shortened so one bad value does not flood the terminal.
    static func quote(_ text: String) -> String {
        let limit = 60
        let shown = text.count > limit ? text.prefix(limit) + "…" : Substring(text)
        return "\"" + shown.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// What every node of one document shares: where it came from and its environment.
final class ConfigDocument: Sendable {
    let file: String
    let environment: [String: String]

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }
}
