import Series

/// Go's `regexp.Expand`: a template with `$1`, `${1}`, `$name`, `${name}` and `$$` filled from a
/// match. A name runs as far as letters, digits and `_` go (`$1x` is group `1x`, not `$1` then
/// `x`); a group that does not exist or did not take part expands to nothing; a `$` that starts
/// no valid reference is kept as written.
enum RegexTemplate {
    static func expand(_ template: String, match: AnchoredRegex.Match) -> String {
        guard template.contains("$") else { return template }
        var output = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                output += "$"
                rest = rest.dropFirst()
                continue
            }
            guard let (name, after) = reference(in: rest) else {
                output += "$"
                continue
            }
            rest = after
            if let number = groupNumber(name) {
                if number < match.groups.count, let group = match.groups[number] { output += group }
            } else if let group = match.named[name] {
                output += group
            }
        }
        output += rest
        return output
    }

    /// The name of the reference at the start of `text` (after the `$`) and what follows it.
    private static func reference(in text: Substring) -> (String, Substring)? {
        var rest = text
        let braced = rest.first == "{"
        if braced { rest = rest.dropFirst() }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty else { return nil }
        rest = rest.dropFirst(name.count)
        if braced {
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        return (String(name), rest)
    }

    /// The group number a name stands for: all ASCII digits, below 1e8, no leading zero.
    private static func groupNumber(_ name: String) -> Int? {
        guard name.allSatisfy({ $0.isASCII && $0.isNumber }), name.count <= 8 else { return nil }
        if name.count > 1 && name.hasPrefix("0") { return nil }
        return Int(name)
    }
}
