import Foundation
import Testing

@testable import Evaluator

/// `check rules` against promtool 2.42's recorded output for each fixture under
/// `Fixtures/check` (`NAME.rules.yml` and `NAME.expected`, with `@FILE@` for the path).
@Suite struct CheckRulesTests {
    static let files = Fixtures.files(in: Fixtures.check, suffix: ".rules.yml")

    @Test(arguments: files)
    func matchesPromtoolOutput(file: String) {
        let result = checkRules(files: [file])
        let expected = Fixtures.expected(for: file, suffix: ".rules.yml").replacingOccurrences(of: "@FILE@", with: file)
        #expect(result.output + "exit \(result.exitCode)\n" == expected)
    }

    @Test func fixturesExist() {
        #expect(Self.files.count >= 10)
    }

    @Test func countsRulesAcrossFiles() {
        let valid = Fixtures.check + "/valid.rules.yml"
        let result = checkRules(files: [valid, valid])
        #expect(result.exitCode == 0)
        #expect(
            result.output
                == "Checking \(valid)\n  SUCCESS: 2 rules found\n\nChecking \(valid)\n  SUCCESS: 2 rules found\n\n")
    }

    @Test func lintSettings() {
        let file = Fixtures.check + "/duplicates.rules.yml"
        #expect(checkRules(files: [file]).exitCode == 0)
        #expect(checkRules(files: [file], lintFatal: true).exitCode == 3)
        let unlinted = checkRules(files: [file], lint: .none)
        #expect(unlinted.output == "Checking \(file)\n  SUCCESS: 6 rules found\n\n")
        #expect(checkRules(files: [file, Fixtures.check + "/invalid.rules.yml"], lintFatal: true).exitCode == 1)
    }

    @Test func missingFileIsRefusedUpFront() {
        let result = checkRules(files: ["/nonexistent/x.yml"])
        #expect(result.output == "llmwatch: error: path '/nonexistent/x.yml' does not exist, try --help\n")
        #expect(result.exitCode == 1)
    }

    @Test func loaderKeepsRuleFields() throws {
        let groups = try RuleFileLoader.load(path: Fixtures.check + "/keep_firing.rules.yml")
        #expect(groups.count == 1)
        let group = groups[0]
        #expect(group.name == "k")
        #expect(group.interval == 30_000)
        #expect(group.limit == 10)
        let rule = group.rules[0]
        #expect(rule.kind == .alerting)
        #expect(rule.holdDuration == 60_000)
        #expect(rule.keepFiringFor == 300_000)
        #expect(rule.labels.map(\.name) == ["severity"])
        #expect(rule.annotations.map(\.name) == ["description"])
    }

    @Test(
        arguments: [
            ("groups: [{name: g, rules: [{record: 'a:b', expr: x, labels: {x: y}}]}]", nil),
            ("groups: [{name: g, query_offset: 1m, rules: [{alert: A, expr: x}]}]", nil),
            ("groups: [{name: g, rules: [{alert: A, expr: x, for: 1h30m}]}]", nil),
            (
                "groups: [{name: g, rules: [{record: a, expr: x, labels: {'1x': y}}]}]",
                "t.yml: group \"g\", rule 1, \"a\": invalid label name: 1x"
            ),
            (
                "groups: [{name: g, rules: [{record: a}]}]",
                "t.yml: 0:0: group \"g\", rule 1, \"a\": field 'expr' must be set in rule"
            ),
            (
                "groups: [{name: g, rules: [{alert: A, expr: x, annotations: {s: '{{ $foo }}'}}]}]",
                "t.yml: group \"g\", rule 1, \"A\": annotation \"s\": template: __alert_A:1: undefined variable \"$foo\""
            ),
            (
                "groups: [{name: g, limit: x, rules: []}]",
                "t.yml: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `x` into int"
            ),
        ] as [(String, String?)])
    func validation(text: String, expected: String?) {
        do {
            _ = try RuleFileLoader.parse(text, file: "t.yml")
            #expect(expected == nil)
        } catch {
            #expect(error.messages.first == expected)
        }
    }
}
