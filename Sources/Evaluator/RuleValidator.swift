import PromQL
import Series

/// Prometheus 2.x `rulefmt` validation: the checks and messages `promtool check rules` prints
/// after a file decoded cleanly.
enum RuleValidator {
    static func validate(_ raw: [RawGroup], file: String) -> ([RuleGroup], [String]) {
        var problems: [String] = []
        var groups: [RuleGroup] = []
        var seen: Set<String> = []
        for group in raw {
            if group.name.isEmpty {
                problems.append("\(group.line):\(group.column): Groupname must not be empty")
            }
            if seen.contains(group.name) {
                problems.append(
                    "\(group.line):\(group.column): groupname: \"\(group.name)\" is repeated in the same file")
            }
            seen.insert(group.name)
            var rules: [Rule] = []
            for (index, rawRule) in group.rules.enumerated() {
                let (rule, ruleProblems) = validate(rawRule)
                let ruleName = rawRule.alert.value.isEmpty ? rawRule.record.value : rawRule.alert.value
                for problem in ruleProblems {
                    let context = "group \(goQuote(group.name)), rule \(index + 1), \(goQuote(ruleName))"
                    problems.append(problem.render(context: context))
                }
                if let rule { rules.append(rule) }
            }
            groups.append(
                RuleGroup(
                    name: group.name, file: file, interval: group.interval, queryOffset: group.queryOffset,
                    limit: group.limit, labels: group.labels, rules: rules))
        }
        return (groups, problems)
    }

    /// One problem with a rule and the nodes it points at, as rulefmt's `WrappedError`.
    struct Problem {
        var message: String
        var node: Positioned?
        var alternative: Positioned?

        func render(context: String) -> String {
            switch (node, alternative) {
            case (let node?, let alternative?):
                return "\(node.line):\(node.column): \(alternative.line):\(alternative.column): \(context): \(message)"
            case (let node?, nil):
                return "\(node.line):\(node.column): \(context): \(message)"
            default:
                return "\(context): \(message)"
            }
        }
    }

    static func validate(_ raw: RawRule) -> (Rule?, [Problem]) {
        var problems: [Problem] = []
        if !raw.record.value.isEmpty && !raw.alert.value.isEmpty {
            problems.append(
                Problem(
                    message: "only one of 'record' and 'alert' must be set", node: raw.record,
                    alternative: raw.alert))
        }
        if raw.record.value.isEmpty && raw.alert.value.isEmpty {
            problems.append(Problem(message: "one of 'record' or 'alert' must be set", node: raw.record))
        }
        var expr: Expr?
        if raw.expr.value.isEmpty {
            problems.append(Problem(message: "field 'expr' must be set in rule", node: raw.expr))
        } else {
            do {
                expr = try PromQLParser.parse(raw.expr.value)
            } catch {
                problems.append(Problem(message: "could not parse expression: \(error)", node: raw.expr))
            }
        }
        if !raw.record.value.isEmpty {
            if !raw.annotations.isEmpty {
                problems.append(
                    Problem(message: "invalid field 'annotations' in recording rule", node: raw.record))
            }
            if raw.holdDuration != 0 {
                problems.append(Problem(message: "invalid field 'for' in recording rule", node: raw.record))
            }
            if raw.keepFiringFor != 0 {
                problems.append(
                    Problem(message: "invalid field 'keep_firing_for' in recording rule", node: raw.record))
            }
            if !Labels.isLegacyMetricName(raw.record.value) {
                problems.append(
                    Problem(message: "invalid recording rule name: \(raw.record.value)", node: raw.record))
            }
        }
        for label in raw.labels {
            if !Labels.isLegacyLabelName(label.name) || label.name == Labels.metricName {
                problems.append(Problem(message: "invalid label name: \(label.name)"))
            }
        }
        for annotation in raw.annotations where !Labels.isLegacyLabelName(annotation.name) {
            problems.append(Problem(message: "invalid annotation name: \(annotation.name)"))
        }
        if !raw.alert.value.isEmpty {
            let name = "__alert_" + raw.alert.value
            for label in raw.labels {
                if let error = RuleTemplate.parseError(label.value, name: name) {
                    problems.append(Problem(message: "label \(goQuote(label.name)): \(error)"))
                }
            }
            for annotation in raw.annotations {
                if let error = RuleTemplate.parseError(annotation.value, name: name) {
                    problems.append(Problem(message: "annotation \(goQuote(annotation.name)): \(error)"))
                }
            }
        }
        guard problems.isEmpty, let expr else { return (nil, problems) }
        let isAlert = !raw.alert.value.isEmpty
        let rule = Rule(
            kind: isAlert ? .alerting : .recording, name: isAlert ? raw.alert.value : raw.record.value,
            exprText: raw.expr.value, expr: expr, holdDuration: raw.holdDuration,
            keepFiringFor: raw.keepFiringFor, labels: raw.labels, annotations: raw.annotations,
            line: isAlert ? raw.alert.line : raw.record.line)
        return (rule, [])
    }
}

/// Go's `%q` for the plain strings rule names are.
func goQuote(_ text: String) -> String {
    Labels.quote(text)
}
