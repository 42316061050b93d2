import Foundation
import TestSupport
import Testing

/// Bad rule files on reload, at the process level: a running `llmwatch evaluate` with a good
/// rule file and a firing alert is reloaded (`POST /-/reload`) over malformed YAML, bad PromQL,
/// a bad template, duplicate group names, an unknown field and a deleted file. Each reload fails
/// with the error `promtool check rules` prints for the same file (file, and line:col where
/// promtool names them), and the previous rules keep evaluating: the alert stays firing from the
/// same `activeAt`, `/api/v1/rules` lists the old groups, and the failure shows in
/// `/api/v1/status/runtimeinfo` and `llmwatch_config_last_reload_successful`. A real Prometheus
/// loading the same files refuses the same reloads (but drops a deleted file's groups, where
/// llmwatch refuses). A good file is then accepted.
///
/// `Tests/EvaluatorTests/RuleManagerTests` covers the same at the `RuleManager` level (a bad
/// record name and a missing file leave the groups as they were; the same group twice is
/// refused); `CheckRulesTests` compares `llmwatch check rules` with promtool's recorded output.
@Suite("llmwatch evaluate: bad rule files on reload")
struct RuleReloadTests {
    static let good = """
        groups:
          - name: always
            rules:
              - alert: AlwaysFiring
                expr: vector(1) > 0
                labels: {severity: page}
                annotations:
                  summary: "value {{ $value }}"
          - name: records
            rules:
              - record: one:value
                expr: vector(1)

        """

    /// A bad variant of `good`: a name, and the file's new text (nil: the file is deleted).
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var text: String?
        /// Whether promtool names a line and column (`FILE: 5:15: ...`) rather than a line only.
        var lineAndColumn: Bool
        var description: String { name }
    }

    static func replacing(_ old: String, with new: String) -> String {
        precondition(good.contains(old), "\(old) is not in the good file")
        return good.replacingOccurrences(of: old, with: new)
    }

    static let cases: [Case] = [
        Case(
            name: "malformed YAML", text: replacing("labels: {severity: page}", with: "labels: {severity: page"),
            lineAndColumn: false),
        Case(
            name: "bad PromQL", text: replacing("expr: vector(1) > 0", with: "expr: vector(1) > on("),
            lineAndColumn: true),
        Case(
            name: "bad template", text: replacing("{{ $value }}", with: "{{ $value | nosuchfunction }}"),
            lineAndColumn: false),
        Case(
            name: "duplicate group names", text: replacing("name: records", with: "name: always"), lineAndColumn: true),
        Case(name: "unknown field", text: replacing("    annotations:", with: "    anotations:"), lineAndColumn: false),
        Case(name: "deleted file", text: nil, lineAndColumn: false),
    ]

    /// The problem lines `promtool check rules FILE` prints after `FAILED:`.
    static func promtoolProblems(_ file: String) async throws -> [String] {
        let result = try await runProgram(try Programs.installed("promtool"), ["check", "rules", file])
        guard result.status == 1, let failed = result.output.range(of: "  FAILED:\n") else {
            throw TestFailure("promtool accepted or could not check \(file) (\(result.status)): \(result.output)")
        }
        return result.output[failed.upperBound...].split(separator: "\n").map(String.init)
    }

    /// The groups `/api/v1/rules` lists, with each group's last evaluation, and the state of
    /// each alerting rule.
    static func rules(_ baseURL: String) async throws -> (
        groups: [String], lastEvaluation: [String: Date], states: [String: String]
    ) {
        let body = try await HTTP.get(baseURL + "/api/v1/rules").body
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let groups = (object["data"] as? [String: Any])?["groups"] as? [[String: Any]]
        else { throw TestFailure("/api/v1/rules: \(body.prefix(500))") }
        var names: [String] = []
        var evaluated: [String: Date] = [:]
        var states: [String: String] = [:]
        for group in groups {
            let name = group["name"] as? String ?? "?"
            names.append(name)
            evaluated[name] = (group["lastEvaluation"] as? String).flatMap(RFC3339.parse)
            for rule in group["rules"] as? [[String: Any]] ?? [] {
                if let state = rule["state"] as? String { states[rule["name"] as? String ?? "?"] = state }
            }
        }
        return (names, evaluated, states)
    }

    /// `reloadConfigSuccess` of `/api/v1/status/runtimeinfo`.
    static func reloadSucceeded(_ baseURL: String) async throws -> Bool? {
        let body = try await HTTP.get(baseURL + "/api/v1/status/runtimeinfo").body
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (object?["data"] as? [String: Any])?["reloadConfigSuccess"] as? Bool
    }

    /// The value of the unlabelled metric `name` on `/metrics`.
    static func metric(_ baseURL: String, _ name: String) async throws -> Double? {
        let page = try await HTTP.get(baseURL + "/metrics").body
        return page.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
            Double($0.dropFirst(name.count + 1))
        }
    }

    static let config = "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n"

    @Test(.enabled(if: Programs.isInstalled("promtool") && Programs.isInstalled("prometheus")))
    func badFilesAreRejectedAndThePreviousRulesKeepEvaluating() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruleFile = directory.appendingPathComponent("rules.yml")
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try Self.good.write(to: ruleFile, atomically: true, encoding: .utf8)
        try Self.config.write(to: configFile, atomically: true, encoding: .utf8)
        try await HeavyWork.limited {
            // Prometheus, for reference, loads the same files from its own directory.
            let prometheus = try await RunningPrometheus.start(
                config: Self.config, files: ["rules.yml": Self.good], flags: ["--web.enable-lifecycle"])
            let evaluator: RunningEvaluator
            do {
                evaluator = try await RunningEvaluator.start(
                    storage: directory.appendingPathComponent("data").path, ["--config.file=\(configFile.path)"])
            } catch {
                await prometheus.stop()
                throw error
            }
            do {
                try await Self.run(evaluator, prometheus: prometheus, ruleFile: ruleFile.path)
            } catch {
                print("llmwatch log:\n\(evaluator.process.output.suffix(4000))")
                await evaluator.stop()
                await prometheus.stop()
                throw error
            }
            await evaluator.stop()
            await prometheus.stop()
        }
    }

    static func run(_ evaluator: RunningEvaluator, prometheus: RunningPrometheus, ruleFile: String) async throws {
        var firing: ListedAlert?
        try await waitUntil("AlwaysFiring to fire", timeout: .seconds(15)) {
            firing = try await AlertsAPI.list(evaluator.baseURL).first { $0.state == "firing" }
            return firing != nil
        }
        let activeAt = try #require(firing?.activeAt)
        let before = try await rules(evaluator.baseURL)
        #expect(before.groups == ["always", "records"])

        for badCase in cases {
            var expected: [String] = []
            let theirRuleFile = prometheus.directory.appendingPathComponent("rules.yml").path
            if let text = badCase.text {
                try text.write(toFile: ruleFile, atomically: true, encoding: .utf8)
                try text.write(toFile: theirRuleFile, atomically: true, encoding: .utf8)
                expected = try await promtoolProblems(ruleFile)
            } else {
                try FileManager.default.removeItem(atPath: ruleFile)
                try FileManager.default.removeItem(atPath: theirRuleFile)
            }
            let reply = try await HTTP.post(evaluator.baseURL + "/-/reload")
            let rejectedAt = Date()
            let reference = try await HTTP.post(prometheus.baseURL + "/-/reload")
            #expect(
                try await reloadSucceeded(evaluator.baseURL) == false, "\(badCase): runtimeinfo reports the failure")
            #expect(try await metric(evaluator.baseURL, "llmwatch_config_last_reload_successful") == 0, "\(badCase)")
            if badCase.text == nil {
                // Prometheus reads rule_files as globs: a deleted file matches nothing, and its
                // groups are dropped without an error. llmwatch refuses the reload instead
                // (docs/api.md, "Reloading").
                #expect(reference.status == 200, "prometheus accepts a deleted rule file: \(reference.body)")
                #expect(try await rules(prometheus.baseURL).groups.isEmpty, "and drops its groups")
            } else {
                #expect(reference.status == 500, "\(badCase): prometheus refuses the reload too: \(reference.body)")
                #expect(try await reloadSucceeded(prometheus.baseURL) == false, "\(badCase)")
                #expect(
                    try await rules(prometheus.baseURL).groups == before.groups,
                    "\(badCase): prometheus keeps its groups")
            }
            #expect(reply.status == 500, "\(badCase): the reload is refused: \(reply.status) \(reply.body)")
            #expect(reply.body.hasPrefix("failed to reload config: "), "\(badCase): \(reply.body)")
            for line in expected {
                #expect(reply.body.contains(line), "\(badCase): promtool says\n\(line)\nllmwatch says\n\(reply.body)")
            }
            let location = badCase.lineAndColumn ? #"\#(ruleFile): \d+:\d+: "# : #"\#(ruleFile): "#
            #expect(
                reply.body.range(of: location, options: .regularExpression) != nil,
                "\(badCase): the error names \(badCase.lineAndColumn ? "file:line:col" : "the file"): \(reply.body)")
            if badCase.text == nil {
                #expect(
                    reply.body.contains("\(ruleFile): open \(ruleFile): no such file or directory"), "\(reply.body)")
            }

            // The previous rules stay loaded and keep evaluating; the alert keeps firing from
            // when it started.
            try await waitUntil("\(badCase): the old groups to evaluate again", timeout: .seconds(10)) {
                let after = try await rules(evaluator.baseURL)
                return after.groups == before.groups
                    && before.groups.allSatisfy { (after.lastEvaluation[$0] ?? .distantPast) > rejectedAt }
            } failure: {
                "\((try? await HTTP.get(evaluator.baseURL + "/api/v1/rules").body) ?? "")"
            }
            let now = try await rules(evaluator.baseURL)
            #expect(now.states["AlwaysFiring"] == "firing", "\(badCase): \(now.states)")
            let alerts = try await AlertsAPI.list(evaluator.baseURL)
            #expect(alerts.map(\.state) == ["firing"], "\(badCase): \(alerts)")
            #expect(alerts.first?.activeAt == activeAt, "\(badCase): the alert kept its activeAt")
        }

        // A good file is accepted again.
        try (good + "  - name: added\n    rules:\n      - record: two:value\n        expr: vector(2)\n")
            .write(toFile: ruleFile, atomically: true, encoding: .utf8)
        let accepted = try await HTTP.post(evaluator.baseURL + "/-/reload")
        #expect(accepted.status == 200, "\(accepted.body)")
        #expect(try await reloadSucceeded(evaluator.baseURL) == true)
        #expect(try await metric(evaluator.baseURL, "llmwatch_config_last_reload_successful") == 1)
        let reloadedAt = try #require(
            try await metric(evaluator.baseURL, "llmwatch_config_last_reload_success_timestamp_seconds"))
        #expect(abs(reloadedAt - Date().timeIntervalSince1970) < 5, "the last successful reload was now: \(reloadedAt)")
        #expect(try await rules(evaluator.baseURL).groups == ["always", "records", "added"])
        #expect(try await AlertsAPI.list(evaluator.baseURL).first?.activeAt == activeAt, "the alert kept its state")
    }
}
