import Evaluator
import Foundation
import TestSupport
import Testing
import Yams

/// What promtool cannot see in the shipped rules: every alert says how bad it is, what it means
/// and where its runbook is; every runbook belongs to an alert; every alert has a unit test
/// where it fires and one where it stays quiet; every metric a rule reads exists; docs/rules.md
/// lists every rule.
struct RuleConventionTests {
    static let runbookBase = "https://github.com/llmwatch/llmwatch/blob/main/docs/runbooks/"

    /// Alerts whose value says nothing (`up == 0` is always 0): their descriptions need not show it.
    static let valueless: Set<String> = ["LLMWatchProbeDown", "ModelServerDown"]

    static func alerts() throws -> [(file: String, rule: Rule)] {
        try ShippedFiles.rules().filter { $0.rule.kind == .alerting }.map { ($0.file, $0.rule) }
    }

    @Test func everyAlertHasSeveritySummaryDescriptionAndRunbook() throws {
        let alerts = try Self.alerts()
        #expect(Set(alerts.map(\.rule.name)).count >= 29)
        for (file, rule) in alerts {
            let labels = Dictionary(rule.labels, uniquingKeysWith: { $1 })
            let annotations = Dictionary(rule.annotations, uniquingKeysWith: { $1 })
            let place = "\(file): alert \(rule.name) (line \(rule.line))"
            #expect(!(annotations["summary"] ?? "").isEmpty, "\(place): no summary")
            #expect(
                ["critical", "warning", "info"].contains(labels["severity"]),
                "\(place): severity \(labels["severity"] ?? "none")")
            #expect(!(annotations["description"] ?? "").isEmpty, "\(place): no description")
            #expect(
                Self.valueless.contains(rule.name) || (annotations["description"] ?? "").contains("$value"),
                "\(place): the description does not show the alert's value")
            #expect(annotations["runbook_url"] == Self.runbookBase + rule.name + ".md", "\(place): runbook_url")
        }
    }

    @Test func everyAlertHasARunbookAndEveryRunbookAnAlert() throws {
        let names = Set(try Self.alerts().map(\.rule.name))
        let pages = Set(
            ShippedFiles.list("docs/runbooks", suffix: ".md").map { ($0 as NSString).lastPathComponent.dropLast(3) }
                .map(String.init))
        for name in names.sorted() {
            let relative = "docs/runbooks/\(name).md"
            guard pages.contains(name) else {
                Issue.record("\(relative) missing")
                continue
            }
            let text = try ShippedFiles.read(relative)
            #expect(text.hasPrefix("# \(name)\n"), "\(relative) does not start with its title")
            for heading in ["## What it means", "## How to check", "## What to do"] {
                #expect(text.contains("\n\(heading)\n"), "\(relative) has no \"\(heading)\" section")
            }
        }
        // LLMDemoOutage belongs to `llmwatch run`'s embedded demo group, not to rules/.
        for page in pages.subtracting(names).subtracting(["README", "LLMDemoOutage"]).sorted() {
            Issue.record("docs/runbooks/\(page).md: no alert of that name in rules/")
        }
    }

    /// Alert names each test file checks with a non-empty and with an empty `exp_alerts`.
    static func testedAlerts() throws -> (firing: Set<String>, quiet: Set<String>, ruleFiles: Set<String>) {
        var firing: Set<String> = []
        var quiet: Set<String> = []
        var ruleFiles: Set<String> = []
        for file in ShippedFiles.ruleTestFiles {
            guard let document = try Yams.load(yaml: try ShippedFiles.read(file)) as? [String: Any] else {
                throw TestFailure("\(file) is not a mapping")
            }
            for ruleFile in document["rule_files"] as? [String] ?? [] {
                ruleFiles.insert(URL(fileURLWithPath: ShippedFiles.path("rules/tests/" + ruleFile)).standardized.path)
            }
            for test in document["tests"] as? [[String: Any]] ?? [] {
                for check in test["alert_rule_test"] as? [[String: Any]] ?? [] {
                    guard let name = check["alertname"] as? String else { continue }
                    if ((check["exp_alerts"] as? [Any]) ?? []).isEmpty {
                        quiet.insert(name)
                    } else {
                        firing.insert(name)
                    }
                }
            }
        }
        return (firing, quiet, ruleFiles)
    }

    @Test func everyAlertFiresInATestAndStaysQuietInAnother() throws {
        let tested = try Self.testedAlerts()
        for name in Set(try Self.alerts().map(\.rule.name)).sorted() {
            #expect(tested.firing.contains(name), "\(name): no test in rules/tests where it fires")
            #expect(tested.quiet.contains(name), "\(name): no test in rules/tests where it stays quiet")
        }
    }

    @Test func everyRuleFileIsUnitTested() throws {
        let tested = try Self.testedAlerts().ruleFiles
        for file in ShippedFiles.ruleFiles {
            #expect(
                tested.contains(URL(fileURLWithPath: ShippedFiles.path(file)).standardized.path),
                "no test loads \(file)")
        }
    }

    /// Every metric a rule selects is on a live `/metrics` page of `llmwatch probe`, recorded by
    /// a shipped rule, or a series documented to come from elsewhere (`up`, `ALERTS`, the model
    /// server's `model_resource_usage`).
    @Test func everyMetricARuleReadsExists() async throws {
        let probe = try await LiveProbe.start()
        let live: Set<String>
        do {
            live = try await probe.metricNames()
        } catch {
            await probe.stop()
            throw error
        }
        await probe.stop()
        #expect(live.contains("model_predictions_total"), "the probe's page declares the model_* families")
        let known = live.union(try ShippedFiles.recordedNames()).union(ExternalSeries.sources.keys)
        for (file, _, rule) in try ShippedFiles.rules() {
            for name in try MetricNames.selected(by: rule.expr).subtracting(known).sorted() {
                Issue.record("\(file): \(rule.name) (line \(rule.line)) reads \(name), which nothing produces")
            }
        }
    }

    @Test func docsListEveryRule() throws {
        let text = try ShippedFiles.read("docs/rules.md")
        for name in Set(try ShippedFiles.rules().map(\.rule.name)).sorted() {
            #expect(text.contains("`\(name)`"), "docs/rules.md does not list \(name)")
        }
        for (spec, rules) in ShippedFiles.generatedSLORules {
            #expect(text.contains(spec) && text.contains(rules), "docs/rules.md does not name \(spec) and \(rules)")
        }
    }
}
