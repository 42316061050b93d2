import Foundation
import Yams

/// Reads YAML into `ConfigNode` trees that remember positions.
///
/// Beyond what Yams checks, the loader rejects duplicate keys (Prometheus does too, and the
/// second one silently winning hides mistakes) and applies merge keys (`<<: *defaults`).
public enum ConfigLoader {
    /// Reads and parses the YAML file at `path`; errors name the file as `path`.
    ///
    /// - Parameter environment: what `ConfigNode.expandedString()` expands `${VAR}` from.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ConfigNode {
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
        return try convert(root, path: "", document: document)
    }

    private static func convert(_ node: Node, path: String, document: ConfigDocument) throws(ConfigError) -> ConfigNode {
        let line = node.mark?.line ?? 0
        let column = node.mark?.column ?? 0
        let content: ConfigNode.Content
        switch node {
        case .scalar(let scalar):
            content = isNull(scalar) ? .null : .scalar(scalar.string)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index)]", document: document))
            }
            content = .sequence(items)
        case .mapping(let mapping):
            content = .mapping(try entries(of: mapping, path: path, document: document))
        }
        return ConfigNode(document: document, content: content, line: line, column: column, path: path)
    }

    private static func entries(
        of mapping: Node.Mapping,
        path: String,
        document: ConfigDocument
    ) throws(ConfigError) -> [ConfigMapping.Entry] {
        var result: [ConfigMapping.Entry] = []
        var merged: [ConfigMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let key = try convert(keyNode, path: path, document: document)
            guard case .scalar(let name) = key.content else {
                throw key.error("mapping keys must be plain strings, got \(key.shapeDescription)")
            }
            if name == "<<", keyNode.scalar?.style == .plain {
                merged += try mergeEntries(valueNode, path: path, document: document)
                continue
            }
            if let first = result.first(where: { $0.key == name }) {
                throw key.error("duplicate key \"\(name)\" (first defined at line \(first.keyNode.line))")
            }
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            let value = try convert(valueNode, path: childPath, document: document)
            result.append(ConfigMapping.Entry(key: name, keyNode: key, value: value))
        }
        // Keys written in the mapping itself override merged ones; earlier merges win over later.
        for entry in merged where !result.contains(where: { $0.key == entry.key }) {
            result.append(entry)
        }
        return result
    }

    /// The entries a merge key brings in: from one mapping or a list of mappings.
    private static func mergeEntries(
        _ value: Node,
        path: String,
        document: ConfigDocument
    ) throws(ConfigError) -> [ConfigMapping.Entry] {
        let sources: [Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        case .scalar:
            let node = try convert(value, path: path, document: document)
            throw node.error("merge key \"<<\" needs a mapping or a list of mappings, got \(node.shapeDescription)")
        }
        var result: [ConfigMapping.Entry] = []
        for source in sources {
            guard case .mapping(let mapping) = source else {
                let node = try convert(source, path: path, document: document)
                throw node.error("merge key \"<<\" needs mappings, got \(node.shapeDescription)")
            }
            for entry in try entries(of: mapping, path: path, document: document)
            where !result.contains(where: { $0.key == entry.key }) {
                result.append(entry)
            }
        }
        return result
    }

    /// YAML's null: `~`, `null` in its three spellings, nothing at all, or an explicit `!!null`.
    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        let tag = scalar.tag.description
        if tag == Tag.Name.null.rawValue { return true }
        guard scalar.style == .plain, tag == Tag.Name.implicit.rawValue else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
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
