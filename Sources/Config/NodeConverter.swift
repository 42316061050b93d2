import Yams

/// Turns a Yams node tree into `ConfigNode`s, checking what Yams leaves to us.
///
/// - Duplicate keys are errors, as in Prometheus: the second one silently winning hides mistakes.
/// - Merge keys (`<<: *defaults` or `<<: [*a, *b]`) are applied; keys written in the mapping
///   itself win over merged ones, and earlier merged mappings over later ones.
/// - Aliases are expanded, within a budget of nodes, so that a few lines of nested aliases
///   (the "billion laughs") cannot exhaust memory.
struct NodeConverter {
    /// More nodes than any real configuration has, and few enough to build in a moment.
    static let defaultNodeBudget = 1_000_000

    let document: ConfigDocument
    private let nodeBudget: Int
    private var remaining: Int

    init(document: ConfigDocument, nodeBudget: Int) {
        self.document = document
        self.nodeBudget = nodeBudget
        self.remaining = nodeBudget
    }

    mutating func convert(_ node: Node, path: String) throws(ConfigError) -> ConfigNode {
        let line = node.mark?.line ?? 0
        let column = node.mark?.column ?? 0
        remaining -= 1
        guard remaining >= 0 else {
            throw ConfigError(
                file: document.file, line: line, column: column,
                message: "document expands to more than \(nodeBudget) nodes through aliases")
        }
        let content: ConfigNode.Content
        switch node {
        case .scalar(let scalar):
            content = Self.isNull(scalar) ? .null : .scalar(scalar.string, quoted: scalar.style != .plain)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index)]"))
            }
            content = .sequence(items)
        case .mapping(let mapping):
            content = .mapping(try entries(of: mapping, path: path))
        }
        return ConfigNode(document: document, content: content, line: line, column: column, path: path)
    }

    private mutating func entries(of mapping: Node.Mapping, path: String) throws(ConfigError) -> [ConfigMapping.Entry] {
        var result: [ConfigMapping.Entry] = []
        var lineOfKey: [String: Int] = [:]
        var merged: [ConfigMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let key = try convert(keyNode, path: path)
            guard case .scalar(let name, let quoted) = key.content else {
                throw key.error("mapping keys must be plain strings, got \(key.shapeDescription)")
            }
            if name == "<<", !quoted {
                merged += try mergeEntries(valueNode, path: path)
                continue
            }
            if let first = lineOfKey[name] {
                throw key.error("duplicate key \"\(name)\" (first defined at line \(first))")
            }
            lineOfKey[name] = key.line
            let value = try convert(valueNode, path: path.isEmpty ? name : "\(path).\(name)")
            result.append(ConfigMapping.Entry(key: name, keyNode: key, value: value))
        }
        for entry in merged where lineOfKey[entry.key] == nil {
            lineOfKey[entry.key] = entry.keyNode.line
            result.append(entry)
        }
        return result
    }

    /// The entries a merge key brings in, from one mapping or a list of mappings.
    private mutating func mergeEntries(_ value: Node, path: String) throws(ConfigError) -> [ConfigMapping.Entry] {
        let sources: [Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        case .scalar:
            let node = try convert(value, path: path)
            throw node.error("merge key \"<<\" needs a mapping or a list of mappings, got \(node.shapeDescription)")
        }
        var result: [ConfigMapping.Entry] = []
        var seen: Set<String> = []
        for source in sources {
            guard case .mapping(let mapping) = source else {
                let node = try convert(source, path: path)
                throw node.error("merge key \"<<\" needs mappings, got \(node.shapeDescription)")
            }
            for entry in try entries(of: mapping, path: path) where seen.insert(entry.key).inserted {
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
}
