import Foundation
import TestSupport
import Testing

/// The shipped Prometheus and Alertmanager configurations and rule files, checked by the real
/// tools (Debian's promtool 2.42, amtool 0.25) and by `llmwatch check rules`, which must agree.
@Suite(.enabled(if: Programs.isInstalled("promtool") && Programs.isInstalled("amtool"), "promtool or amtool missing"))
struct ToolCheckTests {
    /// Runs `tool` with `arguments` in the repository root.
    static func run(_ tool: String, _ arguments: [String]) async throws -> ProgramResult {
        try await runProgram(try Programs.installed(tool), arguments, workingDirectory: ShippedFiles.root)
    }

    @Test func promtoolAcceptsPrometheusConfigAndEveryRuleFileItLoads() async throws {
        let result = try await Self.run("promtool", ["check", "config", "prometheus/prometheus.yml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS: \(ShippedFiles.ruleFiles.count) rule files found"), "\(result.output)")
        for file in ShippedFiles.ruleFiles {
            #expect(result.output.contains("Checking \(file)\n  SUCCESS"), "\(file) not checked:\n\(result.output)")
        }
    }

    /// `llmwatch check config` on the shipped prometheus.yml says what promtool says, word for
    /// word, and a probe configuration next to it is checked as one.
    @Test func llmwatchChecksPrometheusConfigAsPromtoolDoes() async throws {
        let theirs = try await Self.run("promtool", ["check", "config", "prometheus/prometheus.yml"])
        let ours = try await runProgram(
            try Programs.llmwatch, ["check", "config", "prometheus/prometheus.yml", "examples/simulated.yml"],
            workingDirectory: ShippedFiles.root)
        #expect(theirs.status == 0 && ours.status == 0, "\(ours.output)")
        #expect(ours.output == theirs.output + "Checking examples/simulated.yml\n  SUCCESS: 4 models found\n")
    }

    @Test func promtoolAndLlmwatchCheckRulesAgree() async throws {
        let files = ShippedFiles.ruleFiles
        #expect(files.count >= 6)
        let theirs = try await Self.run("promtool", ["check", "rules"] + files)
        let ours = try await runProgram(
            try Programs.llmwatch, ["check", "rules"] + files, workingDirectory: ShippedFiles.root)
        #expect(theirs.status == 0, "\(theirs.output)")
        #expect(ours.status == theirs.status)
        #expect(ours.output == theirs.output)
    }

    @Test(arguments: ShippedFiles.alertmanagerFiles)
    func amtoolAcceptsAlertmanagerConfig(file: String) async throws {
        let result = try await Self.run("amtool", ["check-config", file])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"))
    }

    /// Where alerts go: seed 004's critical and warning receivers, info to the default one, and
    /// the SLO alerts generated from slo-config.yaml (sloth_severity, no severity) alongside.
    static let routes: [(labels: [String], receiver: String)] = [
        (["alertname=LLMServiceDown", "severity=critical", "model=sim-gpt-4"], "critical-alerts"),
        (["alertname=LLMAvailabilityBudgetBurn", "severity=critical", "sloth_severity=page"], "critical-alerts"),
        (["alertname=LLMHighErrorRate", "severity=warning", "model=sim-gpt-4"], "warning-alerts"),
        (["alertname=LLMCostSpike", "severity=warning", "model=sim-gpt-4"], "warning-alerts"),
        (["alertname=LLMCostBudget", "severity=info", "period=daily"], "default"),
        (["alertname=AvailabilitySLOBudgetBurn", "sloth_severity=page"], "critical-alerts"),
        (["alertname=ErrorRateSLOBudgetBurn", "sloth_severity=ticket"], "warning-alerts"),
        (["alertname=Unlabelled"], "default"),
    ]

    @Test(arguments: ShippedFiles.alertmanagerFiles, routes.indices)
    func alertsRouteToTheirReceiver(file: String, route: Int) async throws {
        let (labels, receiver) = Self.routes[route]
        let result = try await Self.run(
            "amtool", ["config", "routes", "test", "--config.file=\(file)", "--verify.receivers=\(receiver)"] + labels)
        #expect(result.status == 0, "\(labels) in \(file): \(result.output)")
    }

    /// The commented-out scrape jobs in prometheus.yml (the model server, probing on scrape) are
    /// valid configuration once uncommented.
    @Test func commentedScrapeJobsAreValidWhenUncommented() async throws {
        let text = try ShippedFiles.read("prometheus/prometheus.yml")
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasPrefix("  # - ") || line.hasPrefix("  #   ") ? "  " + line.dropFirst(4) : String(line)
        }.joined(separator: "\n")
        #expect(uncommented.contains("- job_name: model-serving"))
        #expect(uncommented.contains("- job_name: llmwatch-probe-on-scrape"))
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("prometheus"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("rules"),
            withDestinationURL: ShippedFiles.root.appendingPathComponent("rules"))
        let config = directory.appendingPathComponent("prometheus/prometheus.yml")
        try uncommented.write(to: config, atomically: true, encoding: .utf8)
        let result = try await Self.run("promtool", ["check", "config", config.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"))
    }
}

/// A real Alertmanager on alertmanager/alertmanager.yml inhibits what the runbooks say: a
/// critical hides the warning of the same alert and subject, not another model's, and the 90% and
/// 100% budget alerts hide the 80% one of the same period.
@Suite(.enabled(if: Programs.isInstalled("prometheus-alertmanager"), "prometheus-alertmanager missing"))
struct InhibitionTests {
    /// Labels of an alert, and whether the shipped inhibit rules hide it when all are active.
    static let cases: [(labels: [String: String], inhibited: Bool)] = [
        (
            [
                "alertname": "LLMServiceDown", "severity": "critical", "model": "m1", "provider": "openai",
                "operation": "probe",
            ], false
        ),
        (
            [
                "alertname": "LLMHighErrorRate", "severity": "warning", "model": "m1", "provider": "openai",
                "operation": "probe",
            ], true
        ),
        (
            [
                "alertname": "LLMHighErrorRate", "severity": "warning", "model": "m2", "provider": "openai",
                "operation": "probe",
            ], false
        ),
        (["alertname": "LLMCostBudget", "severity": "critical", "threshold": "100%", "period": "daily"], false),
        (["alertname": "LLMCostBudget", "severity": "warning", "threshold": "90%", "period": "daily"], true),
        (["alertname": "LLMCostBudget", "severity": "info", "threshold": "80%", "period": "daily"], true),
        (["alertname": "LLMCostBudget", "severity": "info", "threshold": "80%", "period": "weekly"], false),
        (
            [
                "alertname": "CriticalPredictionLatency", "severity": "critical", "model_name": "fraud",
                "model_version": "v1",
            ], false
        ),
        (
            [
                "alertname": "HighPredictionLatency", "severity": "warning", "model_name": "fraud",
                "model_version": "v1",
            ], true
        ),
        (
            [
                "alertname": "HighPredictionLatency", "severity": "warning", "model_name": "churn",
                "model_version": "v1",
            ], false
        ),
        (
            [
                "alertname": "LLMAvailabilityBudgetBurn", "severity": "critical", "sloth_severity": "page",
                "sloth_id": "llm-availability", "sloth_window": "5m", "model": "m1", "provider": "openai",
            ], false
        ),
        (
            [
                "alertname": "LLMAvailabilityBudgetBurn", "severity": "warning", "sloth_severity": "ticket",
                "sloth_id": "llm-availability", "sloth_window": "2h", "model": "m1", "provider": "openai",
            ], true
        ),
        (
            [
                "alertname": "LLMAvailabilityBudgetBurn", "severity": "warning", "sloth_severity": "ticket",
                "sloth_id": "llm-availability", "sloth_window": "2h", "model": "m2", "provider": "openai",
            ], false
        ),
        (
            [
                "alertname": "ErrorRateSLOBudgetBurn", "sloth_severity": "page", "sloth_id": "llmwatch-error_rate_slo",
                "sloth_window": "5m", "model_name": "fraud",
            ], false
        ),
        (
            [
                "alertname": "ErrorRateSLOBudgetBurn", "sloth_severity": "ticket",
                "sloth_id": "llmwatch-error_rate_slo",
                "sloth_window": "2h", "model_name": "fraud",
            ], true
        ),
    ]

    @Test func shippedInhibitRules() async throws {
        let alertmanager = try await RunningAlertmanager.start(
            config: try ShippedFiles.read("alertmanager/alertmanager.yml"))
        do {
            try await Self.check(alertmanager)
        } catch {
            await alertmanager.stop()
            throw error
        }
        await alertmanager.stop()
    }

    static func check(_ alertmanager: RunningAlertmanager) async throws {
        let formatter = ISO8601DateFormatter()
        let now = Date()
        let alerts: [[String: Any]] = cases.map { labels, _ in
            [
                "labels": labels, "annotations": [String: String](),
                "startsAt": formatter.string(from: now), "endsAt": formatter.string(from: now.addingTimeInterval(3600)),
            ]
        }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: alerts), as: UTF8.self)
        let posted = try await HTTP.post(
            "\(alertmanager.baseURL)/api/v2/alerts", body: body, headers: [("content-type", "application/json")])
        #expect(posted.status == 200, "\(posted.body)")
        var problems: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        repeat {
            let reply = try await HTTP.get(
                "\(alertmanager.baseURL)/api/v2/alerts?active=true&inhibited=true&silenced=true")
            let received = (try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [[String: Any]]) ?? []
            var inhibitedByLabels: [[String: String]: Bool] = [:]
            for alert in received {
                guard let labels = alert["labels"] as? [String: String], let status = alert["status"] as? [String: Any]
                else { continue }
                inhibitedByLabels[labels] = !((status["inhibitedBy"] as? [String]) ?? []).isEmpty
            }
            problems = cases.compactMap { labels, inhibited in
                guard let actual = inhibitedByLabels[labels] else { return "\(labels): not received" }
                return actual == inhibited
                    ? nil : "\(labels): \(actual ? "inhibited" : "not inhibited"), expected the opposite"
            }
            if problems.isEmpty { break }
            try await Task.sleep(for: .milliseconds(300))
        } while ContinuousClock.now < deadline
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(alertmanager.process.output.suffix(2000))")
    }
}

/// The host names the configurations use are the compose services docs/stack.md documents.
struct HostNameTests {
    @Test func configurationsNameTheDocumentedServices() throws {
        let stack = try ShippedFiles.read("docs/stack.md")
        let prometheus = try ShippedFiles.read("prometheus/prometheus.yml")
        let alertmanager = try ShippedFiles.read("alertmanager/alertmanager.yml")
        let datasources = try ShippedFiles.read("dashboards/provisioning/datasources.yml")
        for (service, port, file, text) in [
            ("probe", 9478, "prometheus/prometheus.yml", prometheus),
            ("evaluator", 9479, "prometheus/prometheus.yml", prometheus),
            ("alertmanager", 9093, "prometheus/prometheus.yml", prometheus),
            ("webhook-sink", 8080, "alertmanager/alertmanager.yml", alertmanager),
            ("prometheus", 9090, "dashboards/provisioning/datasources.yml", datasources),
        ] {
            #expect(text.contains("\(service):\(port)"), "\(file) does not name \(service):\(port)")
            #expect(
                stack.contains("| `\(service)` | \(port) |"), "docs/stack.md does not document \(service) on \(port)")
        }
    }
}
