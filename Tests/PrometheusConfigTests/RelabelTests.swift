import Config
import Foundation
import Series
import Testing

@testable import PrometheusConfig

/// The relabeling engine on Prometheus's own test cases (model/relabel/relabel_test.go), read
/// from a data file through the same loader a prometheus.yml goes through.
struct RelabelTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: Labels
        var rules: [RelabelConfig]
        var output: Labels?
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/relabel_cases.yml")
        do {
            let root = try ConfigLoader.load(path: url.path, environment: [:])
            return try root.sequence().map { node in
                let fields = try node.mapping()
                let labels = { (key: String) throws -> Labels? in
                    try fields.optional(key).map { Labels(try $0.stringMap()) }
                }
                let dropped = try fields.optional("drop")?.bool() ?? false
                return Case(
                    name: try fields.required("name").string(), input: try labels("input") ?? .empty,
                    rules: try RelabelConfig.decodeList(fields.required("rules"), nullMessage: "null rule"),
                    output: dropped ? nil : try labels("output") ?? .empty)
            }
        } catch {
            Issue.record("cannot load relabel_cases.yml: \(error)")
            return []
        }
    }()

    @Test func allCasesLoaded() {
        #expect(Self.cases.count == 26)
    }

    @Test(arguments: cases)
    func prometheusCase(_ testCase: Case) {
        let result = Relabeling.process(testCase.input, testCase.rules)
        #expect(result == testCase.output, "\(testCase.name): got \(result?.description ?? "dropped")")
    }

    /// TestRelabelValidate: the messages Prometheus gives for invalid rules.
    static let invalid: [(yaml: String, message: String)] = [
        ("{action: replace}", "relabel configuration for replace action requires 'target_label' value"),
        ("{action: lowercase}", "relabel configuration for lowercase action requires 'target_label' value"),
        (#"{action: lowercase, target_label: "${3}"}"#, #""${3}" is invalid 'target_label' for lowercase action"#),
        (#"{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "${1}", target_label: "0${3}"}"#,
         #""0${3}" is invalid 'target_label' for replace action"#),
        (#"{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "${1}", target_label: "-${3}"}"#,
         #""-${3}" is invalid 'target_label' for replace action"#),
        ("{action: hashmod, target_label: x}", "relabel configuration for hashmod requires non-zero modulus"),
        ("{action: hashmod, target_label: x-y, modulus: 2}", #""x-y" is invalid 'target_label' for hashmod action"#),
        ("{action: keepequal, target_label: x, regex: a}",
         "keepequal action requires only 'source_labels' and `target_label`, and no other fields"),
        ("{action: dropequal, target_label: x, separator: ','}",
         "dropequal action requires only 'source_labels' and `target_label`, and no other fields"),
        ("{action: uppercase, target_label: x, replacement: y}", "'replacement' can not be set for uppercase action"),
        ("{action: labeldrop, regex: a, source_labels: [b]}", "labeldrop action requires only 'regex', and no other fields"),
        ("{action: labelkeep, regex: a, target_label: b}", "labelkeep action requires only 'regex', and no other fields"),
        ("{action: labelmap, regex: a, replacement: 'b-$1'}", #""b-$1" is invalid 'replacement' for labelmap action"#),
        ("{action: replce, target_label: a}", #"unknown relabel action "replce"; did you mean "replace"?"#),
        ("{action: replace, target_label: a, regex: '(a'}", #"regex "(a" does not compile (RE2 syntax)"#),
        ("{action: keep, regex: 'a(?=b)'}", #"regex "a(?=b)" uses a lookahead, which Prometheus's RE2 syntax does not support"#),
        ("{action: keep, regex: '(a)\\1'}", #"regex "(a)\\1" uses a backreference (\1), which Prometheus's RE2 syntax does not support"#),
        ("{action: keep, source_labels: [a-b]}", #""a-b" is not a valid label name"#),
        ("{action: keep, modulus: -1}", #"modulus must be a non-negative integer, got "-1""#),
        ("{action: keep, regex: a, replacment: b}", #"unknown field "replacment" in <rule>; did you mean "replacement"?"#),
    ]

    @Test(arguments: invalid.indices)
    func invalidRule(_ index: Int) throws {
        let (yaml, message) = Self.invalid[index]
        do {
            let node = try ConfigLoader.parse(yaml, file: "<rule>", environment: [:])
            _ = try RelabelConfig.decode(node)
            Issue.record("\(yaml): expected \(message)")
        } catch {
            #expect(error.message.replacingOccurrences(of: "at top level", with: "in <rule>") == message, "\(yaml)")
        }
    }

    @Test func validRuleWithReferenceInTargetLabel() throws {
        let node = try ConfigLoader.parse(
            #"{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "${1}", target_label: "${3}"}"#,
            file: "<rule>", environment: [:])
        let rule = try RelabelConfig.decode(node)
        #expect(rule.action == .replace)
        #expect(rule.targetLabel == "${3}")
    }

    /// TestTargetLabelValidity.
    static let targetTemplates: [(String, Bool)] = [
        ("-label", false), ("label", true), ("label${1}", true), ("${1}label", true), ("${1}", true), ("${", false),
        ("$", false), ("${}", false), ("foo${", false), ("$1", true), ("asd$2asd", true), ("-foo${1}bar-", false),
        ("_${1}_", true), ("foo${bar}foo", true),
    ]

    @Test(arguments: targetTemplates)
    func targetLabelTemplate(_ text: String, _ valid: Bool) {
        #expect(RelabelConfig.isValidTargetTemplate(text) == valid, "\(text)")
    }

    /// Go's `regexp.Expand` on a match of `(?P<word>[a-z]+)-(\d+)` against `abc-42`.
    static let expansions: [(String, String)] = [
        ("$1", "abc"), ("${1}", "abc"), ("$2", "42"), ("${2}x", "42x"), ("$2x", ""), ("$word", "abc"),
        ("${word}", "abc"), ("$$1", "$1"), ("$", "$"), ("${", "${"), ("$-", "$-"), ("$9", ""), ("${01}", ""),
        ("a$1b", "a"), ("a${1}b", "aabcb"), ("$0", "abc-42"),
    ]

    @Test(arguments: expansions)
    func expansion(_ template: String, _ expected: String) throws {
        let regex = try AnchoredRegex("(?P<word>[a-z]+)-(\\d+)")
        let match = try #require(regex.match("abc-42"))
        #expect(RegexTemplate.expand(template, match: match) == expected, "\(template)")
    }

    @Test func hashModMatchesPrometheus() {
        #expect(Relabeling.hashMod("baz", modulus: 1000) == 976)
        #expect(Relabeling.hashMod("foo\nbar", modulus: 1000) == 734)
    }

    @Test func defaultRegexIsAnchored() throws {
        let rule = RelabelConfig(sourceLabels: ["a"], regex: try RelabelRegex("b"), targetLabel: "c", replacement: "x")
        #expect(Relabeling.process(Labels(["a": "abc"]), [rule]) == Labels(["a": "abc"]))
        #expect(Relabeling.process(Labels(["a": "b"]), [rule]) == Labels(["a": "b", "c": "x"]))
    }

    @Test func emptyReplacementDeletesTheTarget() throws {
        let rule = RelabelConfig(sourceLabels: ["a"], regex: try RelabelRegex("(.*)"), targetLabel: "b", replacement: "")
        #expect(Relabeling.process(Labels(["a": "x", "b": "y"]), [rule]) == Labels(["a": "x"]))
    }
}
