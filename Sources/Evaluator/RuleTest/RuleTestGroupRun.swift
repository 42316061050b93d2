import PromQL
import Series

/// One entry of a test file's `tests`: loads its series, evaluates the rule groups at every
/// evaluation interval from 0 to the last `eval_time`, and compares alerts and queries.
struct RuleTestGroupRun {
    let test: RuleTestFile.TestGroup
    let evaluationInterval: Int64
    let groupOrder: [String: Int]
    let ruleFiles: [String]

    func run() async -> [String] {
        let interval = test.interval ?? 60_000
        // Series.
        var source = MemorySeriesSource()
        for input in test.inputSeries {
            do {
                let labels = try InputSeries.labels(input.series, values: input.values)
                let samples = try InputSeries.samples(
                    input.values, interval: interval, prefix: input.series.utf8.count + 1)
                source.append(labels: labels, samples: samples)
            } catch {
                return ["\(error)"]
            }
        }
        let store = MemorySampleStore(source: source)
        let engine = MemoryStoreQueryEngine(
            store: store, engine: PromQLEngine(defaultSubqueryStep: evaluationInterval))
        // Rule groups.
        var groups: [RuleGroup] = []
        for file in ruleFiles {
            do {
                groups += try RuleFileLoader.load(path: file)
            } catch {
                return error.messages
            }
        }
        groups = groups.enumerated().sorted {
            let a = groupOrder[$0.element.name] ?? 0
            let b = groupOrder[$1.element.name] ?? 0
            return a == b ? $0.offset < $1.offset : a < b
        }.map(\.element)
        let externalLabels = Dictionary(test.externalLabels.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        var evaluators = groups.map {
            var group = $0
            if group.interval == nil { group.interval = interval }
            var evaluator = RuleGroupEvaluator(
                group: group, externalLabels: externalLabels, externalURL: test.externalURL)
            evaluator.externalURLFunctions = false
            return evaluator
        }
        var errors: [String] = []
        // Alert tests by eval time.
        for alertTest in test.alertTests where alertTest.alertname.isEmpty {
            let testGroupNote = test.name.isEmpty ? "" : " (in TestGroup \(test.name))"
            return [
                "an item under alert_rule_test misses required attribute alertname at eval_time \(GoDurationText.modelString(alertTest.evalTime))\(testGroupNote)"
            ]
        }
        let alertTimes = Set(test.alertTests.map(\.evalTime)).sorted()
        var current = 0
        let maxTime = (test.alertTests.map(\.evalTime) + test.promqlTests.map(\.evalTime)).max() ?? 0
        var time: Int64 = 0
        while time <= maxTime {
            var evalErrors: [String] = []
            for index in evaluators.indices {
                _ = await evaluators[index].evaluate(
                    at: time, engine: engine, appender: store)
                for (ruleIndex, error) in evaluators[index].lastErrors.enumerated() {
                    if let error {
                        let name = evaluators[index].group.rules[ruleIndex].name
                        evalErrors.append("    rule: \(name), time: \(GoDurationText.goString(time)), err: \(error)")
                    }
                }
            }
            errors += evalErrors
            if !evalErrors.isEmpty { return errors }
            while current < alertTimes.count && time <= alertTimes[current]
                && alertTimes[current] < time + evaluationInterval
            {
                let evalTime = alertTimes[current]
                errors += checkAlerts(at: evalTime, evaluators)
                current += 1
            }
            time += evaluationInterval
        }
        for promqlTest in test.promqlTests {
            if let error = await checkQuery(promqlTest, engine: engine) { errors.append(error) }
        }
        return errors
    }

    private func checkAlerts(at evalTime: Int64, _ evaluators: [RuleGroupEvaluator]) -> [String] {
        var errors: [String] = []
        for alertTest in test.alertTests where alertTest.evalTime == evalTime {
            var got: [AlertComparison] = []
            for evaluator in evaluators {
                for (index, rule) in evaluator.group.rules.enumerated()
                where rule.kind == .alerting && rule.name == alertTest.alertname {
                    for alert in evaluator.activeAlerts(ofRule: index) where alert.state == .firing {
                        got.append(AlertComparison(labels: alert.labels.pairs, annotations: alert.annotations.pairs))
                    }
                }
            }
            var expected: [AlertComparison] = []
            for alert in alertTest.expected {
                var labels = alert.labels.filter { $0.name != "alertname" }
                labels.append(("alertname", alertTest.alertname))
                expected.append(
                    AlertComparison(
                        labels: Self.goLabels(labels), annotations: Self.goLabels(alert.annotations)))
            }
            got.sort { Self.compare($0.labels, $1.labels) < 0 }
            expected.sort { Self.compare($0.labels, $1.labels) < 0 }
            if got != expected {
                let name = test.name.isEmpty ? "" : "    name: \(test.name),\n"
                errors.append(
                    "\(name)    alertname: \(alertTest.alertname), time: \(GoDurationText.modelString(evalTime)), \n        exp:\(AlertComparison.render(expected)), \n        got:\(AlertComparison.render(got))"
                )
            }
        }
        return errors
    }

    private func checkQuery(_ promqlTest: RuleTestFile.PromQLTest, engine: MemoryStoreQueryEngine) async -> String? {
        let timeText = GoDurationText.modelString(promqlTest.evalTime)
        let prefix = "    expr: \(goQuote(promqlTest.expr)), time: \(timeText)"
        var got: [VectorSample]
        do {
            let expr: Expr
            do {
                expr = try PromQLParser.parse(promqlTest.expr)
            } catch {
                throw RuleQueryError("\(error)")
            }
            got = try await engine.instantQuery(expr, at: promqlTest.evalTime)
        } catch {
            return "\(prefix), err: \(error)"
        }
        var expected: [(Labels, Double)] = []
        for sample in promqlTest.expected {
            do {
                expected.append((try PromQLParser.parseSeriesLabels(sample.labels), sample.value))
            } catch {
                return "\(prefix), err: labels \(goQuote(sample.labels)): \(error)"
            }
        }
        got.sort { $0.labels < $1.labels }
        expected.sort { $0.0 < $1.0 }
        let same =
            got.count == expected.count
            && zip(got, expected).allSatisfy { $0.labels == $1.0 && $0.value == $1.1 }
        if same { return nil }
        func render(_ samples: [(Labels, Double)]) -> String {
            samples.isEmpty
                ? "nil" : samples.map { "\(Self.goString($0.0.pairs)) \(goExponentForm($0.1))" }.joined(separator: ", ")
        }
        return "\(prefix),\n        exp: \(render(expected))\n        got: \(render(got.map { ($0.labels, $0.value) }))"
    }

    /// Prometheus's `labels.FromMap`: sorted, empty values kept.
    static func goLabels(_ pairs: [(name: String, value: String)]) -> [Label] {
        var byName: [String: String] = [:]
        for pair in pairs { byName[pair.name] = pair.value }
        return byName.map { Label(name: $0.key, value: $0.value) }.sorted()
    }

    /// Prometheus's `labels.Compare`.
    static func compare(_ a: [Label], _ b: [Label]) -> Int {
        for (x, y) in zip(a, b) {
            if x.name != y.name { return x.name < y.name ? -1 : 1 }
            if x.value != y.value { return x.value < y.value ? -1 : 1 }
        }
        return a.count - b.count
    }

    /// Prometheus 2.x `labels.Labels.String()`: `{a="b", c="d"}`.
    static func goString(_ pairs: [Label]) -> String {
        "{" + pairs.map { "\($0.name)=\(goQuote($0.value))" }.joined(separator: ", ") + "}"
    }
}

/// An alert as promtool compares it: labels and annotations.
struct AlertComparison: Equatable {
    var labels: [Label]
    var annotations: [Label]

    /// promtool's `labelsAndAnnotations.String()`, indented as its messages show it.
    static func render(_ alerts: [AlertComparison]) -> String {
        guard !alerts.isEmpty else { return "[]" }
        var text = "["
        for (index, alert) in alerts.enumerated() {
            text += (index == 0 ? "\n" : ",\n") + "\(index):"
            let body =
                "\nLabels:" + RuleTestGroupRun.goString(alert.labels) + "\nAnnotations:"
                + RuleTestGroupRun.goString(alert.annotations)
            text += body.replacingOccurrences(of: "\n", with: "\n  ")
        }
        text += "\n]"
        return text.replacingOccurrences(of: "\n", with: "\n            ")
    }
}
