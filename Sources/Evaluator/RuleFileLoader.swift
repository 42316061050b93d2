import Config
import Foundation
import PromQL
import Series

/// Loads Prometheus rule files (`groups:` of `record`/`alert` rules) and validates them the way
/// Prometheus 2.x's `rulefmt` does, so `llmwatch check rules` reports what `promtool check rules`
/// reports: first YAML decoding problems (unknown fields, wrong types, bad durations), then
/// validation problems located at `line:col` of the rule.
public enum RuleFileLoader {
    /// Reads and validates the rule file at `path`.
    public static func load(path: String) throws(RuleFileError) -> [RuleGroup] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleFileError(file: path, messages: ["\(path): open \(path): no such file or directory"])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Validates rule file text; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(RuleFileError) -> [RuleGroup] {
        let root: ConfigNode
        do {
            root = try ConfigLoader.parse(text, file: file, environment: [:])
        } catch {
            let message = yamlSyntaxMessage(error)
            // rulefmt decodes twice (strictly, then into nodes), so a syntax error shows twice.
            let twice = !message.hasPrefix("yaml: unmarshal errors:")
            throw RuleFileError(
                file: file, messages: ["\(file): \(message)"] + (twice ? ["\(file): \(message)"] : []))
        }
        var decoder = RuleFileDecoder()
        let raw: [RawGroup]
        do {
            raw = try decoder.decodeFile(root)
        } catch {
            throw RuleFileError(file: file, messages: ["\(file): \(error.message)"])
        }
        if !decoder.typeErrors.isEmpty {
            let body = decoder.typeErrors.map { "\n  \($0)" }.joined()
            throw RuleFileError(file: file, messages: ["\(file): yaml: unmarshal errors:\(body)"])
        }
        let (groups, problems) = RuleValidator.validate(raw, file: file)
        if !problems.isEmpty {
            throw RuleFileError(file: file, messages: problems.map { "\(file): \($0)" })
        }
        return groups
    }

    /// Rewords a YAML syntax error as go-yaml does: `yaml: line 3: did not find expected key`.
    /// go-yaml numbers the line from the error's context (0-based for parser errors, 1-based for
    /// scanner errors), falling back to the problem's position.
    ///
    /// With `version2` the wording and line numbering are go-yaml v2's, which promtool's unit
    /// test loader uses: the problem's line first, and `field X already set in type T` for a
    /// repeated key (`typeOfKey` names the Go type holding a key).
    static func yamlSyntaxMessage(
        _ error: ConfigError, version2: Bool = false, typeOfKey: (String) -> String = { _ in "" }
    ) -> String {
        var problem = error.message
        if error.message.hasPrefix("duplicate key \""),
            let close = error.message.range(of: "\" (first defined at line ")
        {
            let key = error.message[error.message.index(error.message.startIndex, offsetBy: 15)..<close.lowerBound]
            let first = error.message[close.upperBound...].dropLast()
            if version2 {
                return
                    "yaml: unmarshal errors:\n  line \(error.line): field \(key) already set in type \(typeOfKey(String(key)))"
            }
            return
                "yaml: unmarshal errors:\n  line \(error.line): mapping key \"\(key)\" already defined at line \(first)"
        }
        if problem.hasPrefix("invalid YAML: ") { problem.removeFirst("invalid YAML: ".count) }
        if let hint = problem.range(of: " (YAML does not allow tabs") {
            problem = String(problem[..<hint.lowerBound])
        }
        var contextLine = 0
        var scanner = false
        if problem.hasPrefix("while "), let open = problem.range(of: " (line "),
            let close = problem.range(of: "): ", range: open.upperBound..<problem.endIndex)
        {
            contextLine = Int(problem[open.upperBound..<close.lowerBound]) ?? 0
            scanner = problem.hasPrefix("while scanning")
            problem = String(problem[close.upperBound...])
        }
        let bump = scanner ? 1 : 0
        var line = 0
        if version2 {
            if error.line - 1 > 0 {
                line = error.line - 1 + bump
            } else if contextLine - 1 > 0 {
                line = contextLine - 1
            }
        } else if contextLine - 1 != 0 && contextLine > 0 {
            line = contextLine - 1 + bump
        } else if error.line - 1 > 0 {
            line = error.line - 1 + bump
        }
        return line > 0 ? "yaml: line \(line): \(problem)" : "yaml: \(problem)"
    }
}

/// A YAML value with the position it was written at; the equivalent of a `yaml.Node` field.
struct Positioned {
    var value: String
    var line: Int
    var column: Int

    static let absent = Positioned(value: "", line: 0, column: 0)
}

/// One rule exactly as decoded, before validation.
struct RawRule {
    var record = Positioned.absent
    var alert = Positioned.absent
    var expr = Positioned.absent
    var holdDuration: Int64 = 0
    var keepFiringFor: Int64 = 0
    var labels: [(name: String, value: String)] = []
    var annotations: [(name: String, value: String)] = []
}

/// One group exactly as decoded, before validation.
struct RawGroup {
    var name = ""
    var line = 0
    var column = 0
    var interval: Int64?
    var queryOffset: Int64?
    var limit = 0
    var labels: [(name: String, value: String)] = []
    var rules: [RawRule] = []
}

/// An error that stops decoding at once, as a failing custom unmarshaler does in go-yaml.
struct DecodeAbort: Error {
    let message: String
}
