import Foundation

/// How a `LabelMatcher` compares a label value.
public enum MatchType: String, Sendable, Hashable {
    /// `=`: the value equals the matcher's value.
    case equal = "="
    /// `!=`: the value differs from the matcher's value.
    case notEqual = "!="
    /// `=~`: the value matches the fully anchored regular expression.
    case regexMatch = "=~"
    /// `!~`: the value does not match the fully anchored regular expression.
    case regexNoMatch = "!~"
}

/// A condition on one label, as written in a selector: `job=~"api|web"`.
///
/// Regular expressions are fully anchored and `.` matches newlines, as in Prometheus 3; see
/// `AnchoredRegex` for how RE2 syntax maps onto the engine used. An absent label matches as the
/// empty string.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The label name the matcher tests.
    public let name: String
    /// The comparison.
    public let type: MatchType
    /// The value or, for regex matchers, the pattern as written.
    public let value: String
    private let regex: AnchoredRegex?

    /// Creates a matcher; throws `LabelMatcherError.invalidRegex` when a pattern does not compile.
    public init(name: String, type: MatchType, value: String) throws {
        self.name = name
        self.type = type
        self.value = value
        switch type {
        case .equal, .notEqual:
            regex = nil
        case .regexMatch, .regexNoMatch:
            regex = try AnchoredRegex(value)
        }
    }

    /// Whether the label value `labelValue` satisfies the matcher.
    public func matches(_ labelValue: String) -> Bool {
        switch type {
        case .equal: return labelValue == value
        case .notEqual: return labelValue != value
        case .regexMatch: return regex?.matches(labelValue) ?? false
        case .regexNoMatch: return !(regex?.matches(labelValue) ?? false)
        }
    }

    /// Whether the matcher accepts the empty string, i.e. series lacking the label.
    public var matchesEmpty: Bool { matches("") }

    /// The matcher in PromQL syntax, e.g. `job=~"api.*"`.
    public var description: String {
        let label = Labels.isLegacyLabelName(name) ? name : Labels.quote(name)
        return "\(label)\(type.rawValue)\(Labels.quote(value))"
    }

    /// Matchers are equal when name, type and value are.
    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.value == rhs.value
    }

    /// Hashes name, type and value.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(value)
    }
}

/// Errors building a `LabelMatcher`.
public struct LabelMatcherError: Error, CustomStringConvertible {
    /// The pattern that failed to compile.
    public let pattern: String

    /// Describes the failure in Prometheus's words.
    public var description: String {
        "error parsing regexp: invalid regular expression: `\(pattern)`"
    }
}
