import Foundation

/// A regular expression that must match a whole string, written in Go's RE2 syntax.
///
/// Patterns run on ICU's engine (`NSRegularExpression`) wrapped as `^(?:re)$` with `.` matching
/// newlines, as Prometheus 3 compiles label matchers. RE2's `(?P<name>re)` groups are rewritten to
/// ICU's `(?<name>re)`. Where the engines differ: ICU also accepts backreferences, lookaround and
/// possessive quantifiers (RE2 rejects them, so no valid Prometheus pattern uses them); Unicode
/// classes such as `\pL` follow ICU's Unicode tables; and matching is backtracking, so a
/// pathological pattern can be slower than under RE2's linear-time guarantee.
public final class AnchoredRegex: @unchecked Sendable {
    /// The pattern as written (RE2 syntax).
    public let pattern: String
    private let regex: NSRegularExpression
    private let literal: String?
    private let groupNames: [String]

    /// The capture groups of a successful match.
    public struct Match: Sendable {
        /// Group 0 is the whole text; groups that did not take part are nil.
        public let groups: [String?]
        /// Named groups by name.
        public let named: [String: String]
    }

    /// Compiles `pattern`; throws `LabelMatcherError` when it is not a valid expression.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        // Foundation's string searches cost more than compiling a short pattern: only patterns
        // with a named group (`(?` at all) need them.
        let bytes = Array(pattern.utf8)
        let hasGroupSyntax = zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: "(") && $1 == UInt8(ascii: "?") }
        let icu = hasGroupSyntax ? pattern.replacingOccurrences(of: "(?P<", with: "(?<") : pattern
        do {
            regex = try NSRegularExpression(
                pattern: "^(?:" + icu + ")$", options: [.dotMatchesLineSeparators])
        } catch {
            throw LabelMatcherError(pattern: pattern)
        }
        let special = Set("\\.^$|?*+()[]{}")
        literal = pattern.contains { special.contains($0) } ? nil : pattern
        var names: [String] = []
        var rest = Substring(hasGroupSyntax ? icu : "")
        while let open = rest.range(of: "(?<") {
            let after = rest[open.upperBound...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty && after.dropFirst(name.count).first == ">" { names.append(String(name)) }
            rest = after
        }
        groupNames = names
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        if let literal { return text == literal }
        return regex.firstMatch(
            in: text, options: [], range: NSRange(location: 0, length: (text as NSString).length))
            != nil
    }

    /// The capture groups when the whole of `text` matches, else nil.
    public func match(_ text: String) -> Match? {
        let ns = text as NSString
        guard
            let result = regex.firstMatch(
                in: text, options: [], range: NSRange(location: 0, length: ns.length))
        else {
            return nil
        }
        let groups: [String?] = (0...regex.numberOfCaptureGroups).map { i in
            let range = result.range(at: i)
            return range.location == NSNotFound ? nil : ns.substring(with: range)
        }
        var named: [String: String] = [:]
        for name in groupNames {
            let range = result.range(withName: name)
            if range.location != NSNotFound { named[name] = ns.substring(with: range) }
        }
        return Match(groups: groups, named: named)
    }
}
