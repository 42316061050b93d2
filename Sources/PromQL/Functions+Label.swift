import Series

/// What `label_replace` or `label_join` does to one series: its new labels, and whether the
/// result keeps the metric name (when the function wrote `__name__`), both from the old labels.
struct Relabelling {
    /// Where the relabelling's memo belongs (see `withMemo`).
    var site: SiteKey
    var relabel: (Labels) -> Labels
    var keepsName: (Labels) -> Bool
}

extension Evaluator {
    func labelReplace(_ call: Call, at time: Int64) throws -> [Element] {
        let input = try evalVector(call.args[0], at: time)
        return try relabel(input, try labelReplaceRelabelling(call, at: time))
    }

    /// What `label_replace` does to each series, its arguments checked.
    func labelReplaceRelabelling(_ call: Call, at time: Int64) throws -> Relabelling {
        let dst = try evalString(call.args[1], at: time)
        let replacement = try evalString(call.args[2], at: time)
        let src = try evalString(call.args[3], at: time)
        let pattern = try evalString(call.args[4], at: time)
        let regex: AnchoredRegex
        if let compiled = regexes[pattern] {
            regex = compiled
        } else {
            do {
                regex = try AnchoredRegex(pattern)
            } catch {
                throw QueryError.execution("invalid regular expression in label_replace(): \(pattern)")
            }
            regexes[pattern] = regex
        }
        guard Labels.isValidLabelName(dst) else {
            throw QueryError.execution("invalid destination label name in label_replace(): \(dst)")
        }
        return Relabelling(
            site: SiteKey(kind: SiteKey.labelReplace, flags: 0, identity: 0, text: [dst, replacement, src, pattern]),
            relabel: { labels in
                guard let match = regex.match(labels[src]) else { return labels }
                return labels.setting(dst, to: Evaluator.expand(replacement, match))
            },
            keepsName: { labels in dst == Labels.metricName && regex.match(labels[src]) != nil })
    }

    /// Applies `relabelling` to every element, failing when two end with the same labels.
    func relabel(_ input: [Element], _ relabelling: Relabelling) throws -> [Element] {
        var out: [Element] = []
        withMemo(relabelling.site) { memo in
            for (position, var element) in input.enumerated() {
                let before = element.labels
                element.labels = memo.value(for: before, at: position, relabelling.relabel)
                if relabelling.keepsName(before) { element.dropName = false }
                out.append(element)
            }
        }
        try checkDuplicates(out, site: relabelling.site)
        return out
    }

    /// Expands `$1`, `${1}`, `$name` and `${name}` as Go's `Regexp.Expand` does.
    static func expand(_ template: String, _ match: AnchoredRegex.Match) -> String {
        var out = ""
        var chars = Substring(template)
        func group(_ name: String) -> String {
            if let number = Int(name) {
                return number < match.groups.count ? match.groups[number] ?? "" : ""
            }
            return match.named[name] ?? ""
        }
        while let dollar = chars.firstIndex(of: "$") {
            out += chars[..<dollar]
            chars = chars[chars.index(after: dollar)...]
            if chars.first == "$" {
                out += "$"
                chars = chars.dropFirst()
                continue
            }
            if chars.first == "{" {
                if let close = chars.firstIndex(of: "}") {
                    let name = String(chars[chars.index(after: chars.startIndex)..<close])
                    if !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                        out += group(name)
                        chars = chars[chars.index(after: close)...]
                        continue
                    }
                }
                out += "$"
                continue
            }
            let name = chars.prefix { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
            if name.isEmpty {
                out += "$"
                continue
            }
            out += group(String(name))
            chars = chars.dropFirst(name.count)
        }
        return out + chars
    }

    func labelJoin(_ call: Call, at time: Int64) throws -> [Element] {
        let input = try evalVector(call.args[0], at: time)
        return try relabel(input, try labelJoinRelabelling(call, at: time))
    }

    /// What `label_join` does to each series, its arguments checked.
    func labelJoinRelabelling(_ call: Call, at time: Int64) throws -> Relabelling {
        let dst = try evalString(call.args[1], at: time)
        let separator = try evalString(call.args[2], at: time)
        let sources = try call.args.dropFirst(3).map { try evalString($0, at: time) }
        guard Labels.isValidLabelName(dst) else {
            throw QueryError.execution("invalid destination label name in label_join(): \(dst)")
        }
        for src in sources where !Labels.isValidLabelName(src) {
            throw QueryError.execution("invalid source label name in label_join(): \(src)")
        }
        return Relabelling(
            site: SiteKey(kind: SiteKey.labelJoin, flags: 0, identity: 0, text: [dst, separator] + sources),
            relabel: { labels in labels.setting(dst, to: sources.map { labels[$0] }.joined(separator: separator)) },
            keepsName: { _ in dst == Labels.metricName })
    }

    func sortFunction(_ call: Call, _ input: [Element], at time: Int64) throws -> [Element] {
        let name = call.function.name
        if name == "sort" || name == "sort_desc" {
            let descending = name == "sort_desc"
            return input.enumerated().sorted { a, b in
                let (x, y) = (a.element.value, b.element.value)
                if x.isNaN != y.isNaN { return !x.isNaN }
                if x != y && !x.isNaN { return descending ? x > y : x < y }
                return a.offset < b.offset
            }.map(\.element)
        }
        let labelNames = try call.args.dropFirst().map { try evalString($0, at: time) }
        let descending = name == "sort_by_label_desc"
        return input.sorted { a, b in
            for label in labelNames {
                let (x, y) = (a.labels[label], b.labels[label])
                if x == y { continue }
                return Evaluator.naturalLess(x, y) != descending
            }
            return descending ? b.labels < a.labels : a.labels < b.labels
        }
    }

    /// Natural ordering: runs of digits compare by numeric value, other text byte-wise.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        func chunks(_ s: String) -> [String] {
            var out: [String] = []
            var current = ""
            var inDigits = false
            for c in s {
                let digit = c.isASCII && c.isNumber
                if !current.isEmpty && digit != inDigits {
                    out.append(current)
                    current = ""
                }
                inDigits = digit
                current.append(c)
            }
            if !current.isEmpty { out.append(current) }
            return out
        }
        let (ca, cb) = (chunks(a), chunks(b))
        for (x, y) in zip(ca, cb) where x != y {
            if let nx = Double(x), let ny = Double(y), x.allSatisfy(\.isNumber), y.allSatisfy(\.isNumber) {
                if nx != ny { return nx < ny }
                return x < y
            }
            return x < y
        }
        return ca.count < cb.count
    }
}
