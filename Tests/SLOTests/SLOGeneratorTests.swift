import Config
import Foundation
import TestSupport
import Testing

@testable import Evaluator
@testable import SLO

/// Rules generated from SLO specs: valid for promtool, and raising the same alerts as Sloth's.
struct SLOGeneratorTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func generate(_ spec: String, extraLabels: [String: String] = [:]) throws -> String {
        var file = try SLOSpecFile.load(path: fixtures.appendingPathComponent(spec).path)
        file.service.labels.merge(extraLabels) { $1 }
        return try SLORuleGenerator(generator: "llmwatch test").ruleFile(file.service)
    }

    @Test(arguments: ["sloth-getting-started.slo.yml", "seed-slo-config.yml"])
    func generatedRulesPassPromtoolAndOurCheck(spec: String) async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("slo.rules.yml").path
        try Self.generate(spec).write(toFile: path, atomically: true, encoding: .utf8)
        let ours = checkRules(files: [path])
        #expect(ours.exitCode == 0, "\(ours.output)")
        #expect(!ours.output.contains("FAILED"), "\(ours.output)")
        if Programs.isInstalled("promtool") {
            let theirs = try await runProgram(try Programs.installed("promtool"), ["check", "rules", path])
            #expect(theirs.status == 0, "\(theirs.output)")
            #expect(!theirs.output.contains("FAILED"), "promtool lint findings:\n\(theirs.output)")
        }
    }

    @Test func thresholdsAndWindowsAreTheWorkbooks() throws {
        let rules = try Self.generate("sloth-getting-started.slo.yml")
        for (factor, window) in [("14.4", "1h"), ("14.4", "5m"), ("6", "6h"), ("6", "30m"), ("3", "1d"), ("3", "2h"), ("1", "3d"), ("1", "6h")] {
            #expect(rules.contains("slo:sli_error:ratio_rate\(window){"), "records the \(window) window")
            #expect(rules.contains("> (\(factor) * 0.0009999999999999432))"), "compares against \(factor)x the budget")
        }
        #expect(rules.contains("sum_over_time(slo:sli_error:ratio_rate5m{"))
        #expect(rules.contains("[30d])"))
    }

    /// A promtool rule unit test over Sloth's output or ours: the same input and the same
    /// expected alerts. Error ratios: 20 of 1020 requests (page and ticket), 5 of 1005 (ticket
    /// only), 1 of 1001 (none).
    static func unitTest(ruleFile: String) -> String {
        func scenario(errorsPerMinute: Int, alerts: [(String, String)]) -> String {
            let expected = alerts.map { severity, window in
                let extra =
                    severity == "page"
                    ? "routing_key: myteam, severity: pageteam" : "severity: slack, slack_channel: '#alerts-myteam'"
                return """
                              - exp_labels: {category: availability, \(extra), sloth_severity: \(severity), sloth_window: \(window), cmd: examplesgen.sh, owner: myteam, repo: myorg/myservice, tier: "2", sloth_id: myservice-requests-availability, sloth_service: myservice, sloth_slo: requests-availability}
                                exp_annotations:
                                  summary: "High error rate on 'myservice' requests responses"
                                  title: "(\(severity)) myservice requests-availability SLO error budget burn rate is too fast."
                    """
            }
            return """
                  - interval: 1m
                    input_series:
                      - series: 'http_request_duration_seconds_count{job="myservice",code="200"}'
                        values: '0+1000x180'
                      - series: 'http_request_duration_seconds_count{job="myservice",code="500"}'
                        values: '0+\(errorsPerMinute)x180'
                    alert_rule_test:
                      - eval_time: 2h
                        alertname: MyServiceHighErrorRate
                        exp_alerts:\(expected.isEmpty ? " []" : "\n" + expected.joined(separator: "\n"))

                """
        }
        return """
            rule_files: [\(ruleFile)]
            evaluation_interval: 1m
            tests:
            \(scenario(errorsPerMinute: 20, alerts: [("page", "5m"), ("ticket", "2h")]))
            \(scenario(errorsPerMinute: 5, alerts: [("ticket", "2h")]))
            \(scenario(errorsPerMinute: 1, alerts: []))
            """
    }

    @Test func ourRulesRaiseTheAlertsSlothsRulesRaise() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sloth = Self.fixtures.appendingPathComponent("sloth-getting-started.sloth-output.yml").path
        let ours = directory.appendingPathComponent("ours.rules.yml").path
        try Self.generate("sloth-getting-started.slo.yml", extraLabels: ["cmd": "examplesgen.sh"])
            .write(toFile: ours, atomically: true, encoding: .utf8)
        for (name, rules) in [("sloth", sloth), ("ours", ours)] {
            let test = directory.appendingPathComponent("\(name).test.yml").path
            try Self.unitTest(ruleFile: rules).write(toFile: test, atomically: true, encoding: .utf8)
            let verdict = try await offPool { await RuleTestRunner.run(files: [test]) }
            #expect(verdict.exitCode == 0, "llmwatch test rules on \(name):\n\(verdict.output)")
            if Programs.isInstalled("promtool") {
                let promtool = try await runProgram(try Programs.installed("promtool"), ["test", "rules", test])
                #expect(promtool.status == 0, "promtool test rules on \(name):\n\(promtool.output)")
            }
        }
    }
}
