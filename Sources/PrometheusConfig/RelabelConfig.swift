import Foundation
import Series

/// What a relabeling rule does, as Prometheus's `relabel.Action`.
public enum RelabelAction: String, Sendable, CaseIterable {
    /// Writes `replacement` (with `$1` expanded) to `target_label` when `regex` matches.
    case replace
    /// Drops the label set unless `regex` matches the joined source values.
    case keep
    /// Drops the label set when `regex` matches the joined source values.
    case drop
    /// Drops the label set unless the joined source values equal `target_label`'s value.
    case keepEqual = "keepequal"
    /// Drops the label set when the joined source values equal `target_label`'s value.
    case dropEqual = "dropequal"
    /// Writes the MD5 of the joined source values modulo `modulus` to `target_label`.
    case hashMod = "hashmod"
    /// Copies every label whose name matches `regex` to the name `replacement` gives.
    case labelMap = "labelmap"
    /// Removes every label whose name matches `regex`.
    case labelDrop = "labeldrop"
    /// Removes every label whose name does not match `regex`.
    case labelKeep = "labelkeep"
    /// Writes the joined source values in lower case to `target_label`.
    case lowercase
    /// Writes the joined source values in upper case to `target_label`.
    case uppercase

    /// The action named `text`, in any case, as Prometheus reads it.
    public init?(named text: String) {
        self.init(rawValue: text.lowercased())
    }
}

/// A regular expression of a relabeling rule: fully anchored, RE2 syntax (see `AnchoredRegex`).
public struct RelabelRegex: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written, without the anchors.
    public let pattern: String
    let regex: AnchoredRegex

    /// `(.*)`, the default, which matches anything and captures it as `$1`.
    public static let matchAll = try! RelabelRegex("(.*)")

    /// Compiles `pattern`; throws `RelabelConfigError` naming the pattern when it does not compile
    /// or uses a construct RE2 (and so Prometheus) rejects.
    public init(_ pattern: String) throws(RelabelConfigError) {
        if let construct = Self.nonRE2Construct(in: pattern) {
            throw RelabelConfigError(
                "regex \(Labels.quote(pattern)) uses \(construct), which Prometheus's RE2 syntax does not support")
        }
        do {
            regex = try AnchoredRegex(pattern)
        } catch {
            throw RelabelConfigError("regex \(Labels.quote(pattern)) does not compile (RE2 syntax)")
        }
        self.pattern = pattern
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        regex.matches(text)
    }

    /// The pattern as written.
    public var description: String { pattern }

    /// Equal when the patterns are.
    public static func == (lhs: RelabelRegex, rhs: RelabelRegex) -> Bool { lhs.pattern == rhs.pattern }

    /// Hashes the pattern.
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    /// Constructs the engine under `AnchoredRegex` accepts and RE2 refuses: lookaround,
    /// backreferences, atomic groups and possessive quantifiers.
    static func nonRE2Construct(in pattern: String) -> String? {
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        var inClass = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                if index + 1 < scalars.count, ("1"..."9").contains(scalars[index + 1]), !inClass {
                    return "a backreference (\\\(scalars[index + 1]))"
                }
                index += 2
                continue
            }
            if inClass {
                if scalar == "]" { inClass = false }
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inClass = true
                if index + 1 < scalars.count, scalars[index + 1] == "]" { index += 1 }
            case "(" where index + 2 < scalars.count && scalars[index + 1] == "?":
                let next = scalars[index + 2]
                if next == "=" || next == "!" { return "a lookahead" }
                if next == ">" { return "an atomic group" }
                if next == "<", index + 3 < scalars.count, scalars[index + 3] == "=" || scalars[index + 3] == "!" {
                    return "a lookbehind"
                }
            case "+" where index > 0 && "*+?}".unicodeScalars.contains(scalars[index - 1]):
                return "a possessive quantifier"
            default:
                break
            }
            index += 1
        }
        return nil
    }
}

/// A relabeling rule: `relabel_configs`, `metric_relabel_configs`, `alert_relabel_configs` and
/// `write_relabel_configs` entries, with Prometheus's defaults and validation.
public struct RelabelConfig: Sendable, Hashable {
    /// Labels whose values are joined with `separator` into the value the rule looks at.
    public var sourceLabels: [String]
    /// Between joined source values; `;` by default.
    public var separator: String
    /// Matched against the joined value (or label names, for labelmap/labeldrop/labelkeep).
    public var regex: RelabelRegex
    /// For `hashmod`: the modulus (non-zero).
    public var modulus: UInt64
    /// The label written (may contain `$1`-style references for `replace`).
    public var targetLabel: String
    /// What is written, with `$1`, `${1}`, `${name}` expanded; `$1` by default.
    public var replacement: String
    /// The action; `replace` by default.
    public var action: RelabelAction
    /// Whether `regex` and `source_labels` were written, which some actions forbid.
    var regexWasSet = false
    var sourceLabelsWereSet = false

    /// The default separator.
    public static let defaultSeparator = ";"
    /// The default replacement.
    public static let defaultReplacement = "$1"

    /// A rule with Prometheus's defaults for everything not given; call `validate()` before use.
    public init(
        sourceLabels: [String]? = nil, separator: String = RelabelConfig.defaultSeparator,
        regex: RelabelRegex? = nil, modulus: UInt64 = 0, targetLabel: String = "",
        replacement: String = RelabelConfig.defaultReplacement, action: RelabelAction = .replace
    ) {
        self.sourceLabels = sourceLabels ?? []
        self.separator = separator
        self.regex = regex ?? .matchAll
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.action = action
        regexWasSet = regex != nil
        sourceLabelsWereSet = sourceLabels != nil
    }

    /// Checks the rule as Prometheus's `relabel.Config.Validate` does, with its messages.
    public func validate() throws(RelabelConfigError) {
        let needsTarget: Set<RelabelAction> = [.replace, .hashMod, .lowercase, .uppercase, .keepEqual, .dropEqual]
        if action == .hashMod && modulus == 0 {
            throw RelabelConfigError("relabel configuration for hashmod requires non-zero modulus", field: "modulus")
        }
        if needsTarget.contains(action) && targetLabel.isEmpty {
            throw RelabelConfigError(
                "relabel configuration for \(action.rawValue) action requires 'target_label' value", field: "action")
        }
        let invalidTarget = RelabelConfigError(
            "\(Labels.quote(targetLabel)) is invalid 'target_label' for \(action.rawValue) action", field: "target_label")
        if action == .replace {
            if targetLabel.contains("$") {
                if !Self.isValidTargetTemplate(targetLabel) { throw invalidTarget }
            } else if !Labels.isLegacyLabelName(targetLabel) {
                throw invalidTarget
            }
        }
        let equalityOrCase: Set<RelabelAction> = [.lowercase, .uppercase, .keepEqual, .dropEqual]
        if equalityOrCase.contains(action) {
            if !Labels.isLegacyLabelName(targetLabel) { throw invalidTarget }
            if replacement != Self.defaultReplacement {
                throw RelabelConfigError("'replacement' can not be set for \(action.rawValue) action", field: "replacement")
            }
        }
        if action == .labelMap && !Self.isValidTargetTemplate(replacement) {
            throw RelabelConfigError(
                "\(Labels.quote(replacement)) is invalid 'replacement' for \(action.rawValue) action", field: "replacement")
        }
        if action == .hashMod && !Labels.isLegacyLabelName(targetLabel) { throw invalidTarget }
        if action == .keepEqual || action == .dropEqual {
            if regexWasSet || modulus != 0 || separator != Self.defaultSeparator || replacement != Self.defaultReplacement {
                throw RelabelConfigError(
                    "\(action.rawValue) action requires only 'source_labels' and `target_label`, and no other fields",
                    field: "action")
            }
        }
        if action == .labelDrop || action == .labelKeep {
            if sourceLabelsWereSet || !targetLabel.isEmpty || modulus != 0 || separator != Self.defaultSeparator
                || replacement != Self.defaultReplacement
            {
                throw RelabelConfigError("\(action.rawValue) action requires only 'regex', and no other fields", field: "action")
            }
        }
    }

    /// Prometheus's `relabelTarget` pattern, `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`, with
    /// `\w` as RE2's ASCII word class: names with `$1`, `${1}` or `${name}` references.
    public static func isValidTargetTemplate(_ text: String) -> Bool {
        targetTemplate.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
    }

    private static let targetTemplate = try! NSRegularExpression(
        pattern: #"^(?:(?:[a-zA-Z_]|\$(?:\{[0-9A-Za-z_]+\}|[0-9A-Za-z_]+))+[0-9A-Za-z_]*)+$"#)

    /// Equal when every field Prometheus compares is.
    public static func == (lhs: RelabelConfig, rhs: RelabelConfig) -> Bool {
        lhs.sourceLabels == rhs.sourceLabels && lhs.separator == rhs.separator && lhs.regex == rhs.regex
            && lhs.modulus == rhs.modulus && lhs.targetLabel == rhs.targetLabel && lhs.replacement == rhs.replacement
            && lhs.action == rhs.action
    }

    /// Hashes the fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(sourceLabels)
        hasher.combine(separator)
        hasher.combine(regex)
        hasher.combine(modulus)
        hasher.combine(targetLabel)
        hasher.combine(replacement)
        hasher.combine(action)
    }
}

/// Why a relabeling rule is invalid, in Prometheus's words (without a position; the loader adds it).
public struct RelabelConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public let message: String
    /// The field the error is about, when it is about one (`target_label`, `modulus`, ...).
    public let field: String?

    /// Creates an error, optionally about one field.
    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    /// The message.
    public var description: String { message }
}
