import Config
import Foundation
import PromQL
import Series

/// The naming rules of SLO specs.
enum SLONames {
    /// Service and SLO names become label values and parts of rule group names: letters,
    /// digits, `-`, `_` and `.`, starting with a letter or digit (Sloth's rule).
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
    }

    static func problem(_ what: String, _ name: String) -> String {
        "invalid \(what) \"\(name)\": use letters, digits, '-', '_' and '.', starting with a letter or digit"
    }

    /// A mapping of label names to values, names checked.
    static func labels(_ node: ConfigNode) throws(ConfigError) -> [String: String] {
        var labels: [String: String] = [:]
        for entry in try node.mapping().entries {
            guard Labels.isLegacyLabelName(entry.key), !entry.key.hasPrefix("__") else {
                throw entry.keyNode.error("invalid label name \"\(entry.key)\"")
            }
            labels[entry.key] = try entry.value.string()
        }
        return labels
    }
}

/// SLI queries: PromQL with `{{.window}}` where the range goes.
enum SLOQuery {
    /// The placeholder Sloth's templates use.
    static let placeholder = "{{.window}}"

    /// `query` with its window filled in (`5m`, `30d`).
    static func render(_ query: String, window: String) -> String {
        query.replacingOccurrences(of: placeholder, with: window)
            .replacingOccurrences(of: "{{ .window }}", with: window)
    }

    /// The query under `node`, checked: it has the window placeholder and parses as PromQL once
    /// filled in.
    static func check(_ node: ConfigNode) throws(ConfigError) -> String {
        let query = try node.string().trimmingCharacters(in: .whitespacesAndNewlines)
        guard query.contains(placeholder) || query.contains("{{ .window }}") else {
            throw node.error("the query has no {{.window}} placeholder for the range, e.g. rate(x[{{.window}}])")
        }
        do {
            _ = try PromQLParser.parse(render(query, window: "5m"))
        } catch {
            throw node.error("invalid PromQL: \(error)")
        }
        return query
    }
}
