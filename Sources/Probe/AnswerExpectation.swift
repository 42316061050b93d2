import Foundation

/// What a right answer looks like. The probe records each check, which gives online accuracy
/// and, over days, quality drift.
public enum AnswerExpectation: Sendable, Equatable {
    /// The trimmed answer equals the text (case-insensitive when asked).
    case exact(String, caseSensitive: Bool)
    /// The answer contains the text somewhere.
    case contains(String, caseSensitive: Bool)
    /// The regular expression matches somewhere in the answer (ICU syntax, unanchored).
    case regex(String)
    /// The answer (or its first `{…}` object) is JSON whose dotted `path` holds `equals`,
    /// compared as text (`4` matches `4`, `"4"` and `4.0`).
    case jsonField(path: String, equals: String)

    /// Whether `answer` satisfies the expectation.
    public func isSatisfied(by answer: String) -> Bool {
        switch self {
        case .exact(let expected, let caseSensitive):
            let got = answer.trimmingCharacters(in: .whitespacesAndNewlines)
            return caseSensitive ? got == expected : got.caseInsensitiveCompare(expected) == .orderedSame
        case .contains(let expected, let caseSensitive):
            return caseSensitive
                ? answer.contains(expected) : answer.range(of: expected, options: .caseInsensitive) != nil
        case .regex(let pattern):
            return answer.range(of: pattern, options: .regularExpression) != nil
        case .jsonField(let path, let expected):
            guard let value = JSONPath.value(at: path, in: answer) else { return false }
            return JSONPath.text(of: value) == expected
                || (Double(JSONPath.text(of: value)) != nil && Double(JSONPath.text(of: value)) == Double(expected))
        }
    }
}

/// Dotted-path access into JSON text, as configs name fields (`result.scores.0`).
enum JSONPath {
    /// The value at `path` in the JSON document inside `text` (the whole text, or its first
    /// `{…}` span when a model wraps JSON in prose or a code fence).
    static func value(at path: String, in text: String) -> Any? {
        guard let root = parse(text) else { return nil }
        return value(at: path, in: root)
    }

    /// The value at `path` inside an already parsed JSON value.
    static func value(at path: String, in root: Any) -> Any? {
        var current: Any? = root
        for part in path.split(separator: ".") where !part.isEmpty {
            if let object = current as? [String: Any] {
                current = object[String(part)]
            } else if let array = current as? [Any], let index = Int(part), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// A JSON value as plain text: strings unquoted, numbers in their shortest form.
    static func text(of value: Any) -> String {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return String(double)
        case is NSNull: return "null"
        default:
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
                return String(decoding: data, as: UTF8.self)
            }
            return "\(value)"
        }
    }

    private static func parse(_ text: String) -> Any? {
        if let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) {
            return value
        }
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text[open...close].utf8))
    }
}
