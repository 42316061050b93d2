import Config

/// Decodes a rule file's YAML as go-yaml's strict decoder reads it into Prometheus's `rulefmt`
/// types: unknown fields and mistyped values are collected as "type errors" worded like go-yaml's
/// (`line 4: field foo not found in type rulefmt.RuleGroup`); a bad duration aborts decoding.
struct RuleFileDecoder {
    /// go-yaml's collected type errors, in document order.
    var typeErrors: [String] = []

    mutating func decodeFile(_ root: ConfigNode) throws(DecodeAbort) -> [RawGroup] {
        guard let mapping = expectMapping(root, into: "rulefmt.RuleGroups") else { return [] }
        var groups: [RawGroup] = []
        for entry in mapping.entries {
            switch entry.key {
            case "groups":
                guard let items = expectSequence(entry.value, into: "[]rulefmt.RuleGroup") else { continue }
                for item in items {
                    groups.append(try decodeGroup(item))
                }
            default:
                unknownField(entry, in: "rulefmt.RuleGroups")
            }
        }
        return groups
    }

    private mutating func decodeGroup(_ node: ConfigNode) throws(DecodeAbort) -> RawGroup {
        var group = RawGroup()
        group.line = node.line
        group.column = node.column
        guard let mapping = expectMapping(node, into: "rulefmt.RuleGroup") else { return group }
        for entry in mapping.entries {
            let value = entry.value
            switch entry.key {
            case "name": group.name = scalar(value, into: "string") ?? ""
            case "interval": group.interval = try duration(value)
            case "query_offset": group.queryOffset = try duration(value)
            case "limit":
                if let text = scalar(value, into: "int") {
                    if let number = Int(text) {
                        group.limit = number
                    } else if !value.isNull {
                        typeErrors.append("line \(value.line): cannot unmarshal \(describe(value)) into int")
                    }
                }
            case "labels": group.labels = stringMap(value)
            case "rules":
                guard let items = expectSequence(value, into: "[]rulefmt.RuleNode") else { continue }
                for item in items {
                    group.rules.append(try decodeRule(item))
                }
            default: unknownField(entry, in: "rulefmt.RuleGroup")
            }
        }
        return group
    }

    private mutating func decodeRule(_ node: ConfigNode) throws(DecodeAbort) -> RawRule {
        var rule = RawRule()
        guard let mapping = expectMapping(node, into: "rulefmt.RuleNode") else { return rule }
        for entry in mapping.entries {
            let value = entry.value
            switch entry.key {
            case "record": rule.record = positioned(value)
            case "alert": rule.alert = positioned(value)
            case "expr": rule.expr = positioned(value)
            case "for": rule.holdDuration = try duration(value) ?? 0
            case "keep_firing_for": rule.keepFiringFor = try duration(value) ?? 0
            case "labels": rule.labels = stringMap(value)
            case "annotations": rule.annotations = stringMap(value)
            default: unknownField(entry, in: "rulefmt.RuleNode")
            }
        }
        return rule
    }

    /// A `yaml.Node` field: any node is accepted; only scalars carry a value.
    private func positioned(_ node: ConfigNode) -> Positioned {
        let text = node.kind == .scalar ? ((try? node.string()) ?? "") : ""
        return Positioned(value: text, line: node.line, column: node.column)
    }

    /// A `model.Duration`: `not a valid duration string: "5x"` stops decoding.
    mutating func duration(_ node: ConfigNode) throws(DecodeAbort) -> Int64? {
        guard let text = scalar(node, into: "model.Duration") else { return nil }
        do {
            return try PromDuration.parse(text).milliseconds
        } catch {
            throw DecodeAbort(message: "not a valid duration string: \"\(text)\"")
        }
    }

    mutating func stringMap(_ node: ConfigNode) -> [(name: String, value: String)] {
        if node.isNull { return [] }
        guard let mapping = expectMapping(node, into: "map[string]string") else { return [] }
        var out: [(name: String, value: String)] = []
        for entry in mapping.entries {
            if let text = scalar(entry.value, into: "string") {
                out.append((entry.key, text))
            } else if entry.value.isNull {
                out.append((entry.key, ""))
            }
        }
        return out
    }

    /// The scalar's text; nil (with a type error for non-null non-scalars) otherwise.
    mutating func scalar(_ node: ConfigNode, into type: String) -> String? {
        switch node.kind {
        case .scalar: return (try? node.string()) ?? ""
        case .null: return nil
        case .mapping, .sequence:
            typeErrors.append("line \(node.line): cannot unmarshal \(tag(node)) into \(type)")
            return nil
        }
    }

    mutating func expectMapping(_ node: ConfigNode, into type: String) -> ConfigMapping? {
        if node.kind == .mapping || node.isNull { return try? node.mapping() }
        typeErrors.append("line \(node.line): cannot unmarshal \(describe(node)) into \(type)")
        return nil
    }

    mutating func expectSequence(_ node: ConfigNode, into type: String) -> [ConfigNode]? {
        if node.kind == .sequence || node.isNull { return try? node.sequence() }
        typeErrors.append("line \(node.line): cannot unmarshal \(describe(node)) into \(type)")
        return nil
    }

    mutating func unknownField(_ entry: ConfigMapping.Entry, in type: String) {
        typeErrors.append("line \(entry.keyNode.line): field \(entry.key) not found in type \(type)")
    }

    /// go-yaml's rendering of a node in "cannot unmarshal" messages: the tag, and a scalar's text.
    func describe(_ node: ConfigNode) -> String {
        if node.kind == .scalar {
            // go-yaml shortens long values to their first 7 bytes.
            let text = (try? node.string()) ?? ""
            let bytes = Array(text.utf8)
            let shown = bytes.count > 10 ? String(decoding: bytes.prefix(7), as: UTF8.self) + "..." : text
            return "\(tag(node)) `\(shown)`"
        }
        return tag(node)
    }

    /// The YAML 1.2 core-schema tag go-yaml resolves a node to.
    func tag(_ node: ConfigNode) -> String {
        switch node.kind {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .null: return "!!null"
        case .scalar:
            let text = (try? node.string()) ?? ""
            if node.isQuoted { return "!!str" }
            if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(text) { return "!!bool" }
            if Int(text) != nil { return "!!int" }
            if Double(text) != nil || [".inf", "-.inf", ".nan"].contains(text.lowercased()) { return "!!float" }
            return "!!str"
        }
    }
}
