import Foundation
import Yams

/// Reads YAML into `ConfigNode` trees that remember positions.
///
/// Beyond what Yams checks, the loader rejects duplicate keys and applies merge keys
/// (`<<: *defaults`); see `NodeConverter`.
public enum ConfigLoader {
    /// Reads and parses the YAML file at `path`; errors name the file as `path`.
    ///
    /// - Parameter environment: what `ConfigNode.expandedString()` expands `${VAR}` from.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ConfigNode {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigError(file: path, line: 0, column: 0, message: "is a directory; give the path of a YAML file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ConfigError(file: path, line: 0, column: 0, message: "cannot read file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 0, column: 0, message: "file is not valid UTF-8")
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Parses one YAML document. `file` names it in errors (a path, or a label like `<flag>`).
    /// An empty document gives a null root, which reads as an empty mapping.
    public static func parse(
        _ yaml: String,
        file: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ConfigNode {
        try parse(yaml, file: file, environment: environment, nodeBudget: NodeConverter.defaultNodeBudget)
    }

    /// `parse` with a limit on the nodes aliases may expand to, which tests set low.
    static func parse(
        _ yaml: String,
        file: String,
        environment: [String: String],
        nodeBudget: Int
    ) throws(ConfigError) -> ConfigNode {
        let document = ConfigDocument(file: file, environment: environment)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw syntaxError(error, yaml: yaml, file: file)
        }
        guard let root else {
            return ConfigNode(document: document, content: .null, line: 1, column: 1, path: "")
        }
        var converter = NodeConverter(document: document, nodeBudget: nodeBudget)
        return try converter.convert(root, path: "")
    }

    /// A Yams error as a `ConfigError` at the position Yams reports.
    private static func syntaxError(_ error: any Error, yaml: String, file: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return ConfigError(file: file, line: 0, column: 0, message: "invalid YAML: \(error)")
        }
        let problem: String
        let line: Int
        let column: Int
        switch yamlError {
        case .scanner(let context, let text, let mark, _),
            .parser(let context, let text, let mark, _),
            .composer(let context, let text, let mark, _):
            problem = [context.map { "\($0.text) (line \($0.mark.line))" }, text]
                .compactMap { $0 }.joined(separator: ": ")
            (line, column) = (mark.line, mark.column)
        case .reader(let text, let offset, _, _):
            problem = text
            (line, column) = offset.map { position(ofCharacterOffset: $0, in: yaml) } ?? (0, 0)
        default:
            problem = "\(yamlError)"
            (line, column) = (0, 0)
        }
        var message = "invalid YAML: \(problem)"
        if line > 0, sourceLine(line, of: yaml).prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
            message += " (YAML does not allow tabs for indentation; use spaces)"
        }
        return ConfigError(file: file, line: line, column: column, message: message)
    }

    private static func position(ofCharacterOffset offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }

    private static func sourceLine(_ number: Int, of text: String) -> Substring {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return number <= lines.count ? lines[number - 1] : ""
    }
}
