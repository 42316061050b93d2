/// `${VAR}` substitution in configuration strings, so secrets stay out of files.
///
/// - `${VAR}` is the variable's value; unset is an error naming `VAR` (never a value).
/// - `${VAR:-default}` is the value, or `default` when `VAR` is unset or empty; the default may
///   itself contain `${OTHER}`.
/// - `$$` is a literal `$`. A `$` followed by anything else is kept as it is, so a password
///   such as `pa$word` needs no escaping, but `$$` in a literal must be written `$$$$`.
public enum EnvironmentExpansion {
    /// Returns `text` with every reference replaced from `environment`.
    public static func expand(_ text: String, environment: [String: String]) throws(ConfigValueError) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        return try expand(&scalars, environment: environment, closing: false, evaluating: true)
    }

    /// Expands until the end of input, or, inside a default, until its unmatched `}`
    /// (which is consumed). A default that is not used is still checked for syntax but not
    /// `evaluating`, so a variable missing there is no error, as in the shell.
    private static func expand(
        _ input: inout Substring.UnicodeScalarView.SubSequence,
        environment: [String: String],
        closing: Bool,
        evaluating: Bool
    ) throws(ConfigValueError) -> String {
        var output = String.UnicodeScalarView()
        while let scalar = input.popFirst() {
            if closing, scalar == "}" { return String(output) }
            guard scalar == "$", let next = input.first else {
                output.append(scalar)
                continue
            }
            switch next {
            case "$":
                input.removeFirst()
                output.append("$")
            case "{":
                input.removeFirst()
                output.append(
                    contentsOf: try reference(&input, environment: environment, evaluating: evaluating).unicodeScalars)
            default:
                output.append(scalar)
            }
        }
        if closing {
            throw ConfigValueError("unterminated \"${\": a default value is missing its closing \"}\"")
        }
        return String(output)
    }

    /// Reads `NAME}` or `NAME:-default}` after a `${` and returns its expansion.
    private static func reference(
        _ input: inout Substring.UnicodeScalarView.SubSequence,
        environment: [String: String],
        evaluating: Bool
    ) throws(ConfigValueError) -> String {
        let name = String(String.UnicodeScalarView(input.prefix(while: isNameScalar)))
        input.removeFirst(name.unicodeScalars.count)
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            throw ConfigValueError(
                "invalid environment reference: \"${\" must be followed by a variable name "
                    + "(letters, digits, _; not starting with a digit), or write \"$$\" for a literal \"$\"")
        }
        if input.starts(with: ":-".unicodeScalars) {
            input.removeFirst(2)
            let value = environment[name].flatMap { $0.isEmpty ? nil : $0 }
            let fallback = try expand(
                &input, environment: environment, closing: true, evaluating: evaluating && value == nil)
            return value ?? fallback
        }
        guard input.popFirst() == "}" else {
            throw ConfigValueError(
                "invalid environment reference to \(name): expected \"}\" or \":-default}\" after the name")
        }
        guard let value = environment[name] ?? (evaluating ? nil : "") else {
            throw ConfigValueError(
                "environment variable \(name) is not set; set it, or give a default with ${\(name):-default}")
        }
        return value
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
