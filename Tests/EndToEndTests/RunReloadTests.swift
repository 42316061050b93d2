import Foundation
import TestSupport
import Testing

/// `llmwatch run` reloads the probe's configuration with the evaluator's on `/-/reload`: a good
/// one adds its model, a bad one fails the reload with its position and keeps the old models.
struct RunReloadTests {
    static func config(_ names: [String]) -> String {
        "global: {schedule: 1s}\nmodels:\n"
            + names.map {
                """
                  - name: \($0)
                    provider: simulated
                    model: \($0)
                    simulation: {time_to_first_token: 10ms, time_per_token: 1ms}
                    prompts: [{name: hello, prompt: "Say hello."}]

                """
            }.joined()
    }

    @Test func reloadReadsTheProbeConfigurationToo() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("probe.yml")
        let rules = directory.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try Self.config(["sim-one"]).write(to: file, atomically: true, encoding: .utf8)
        let run = try await RunningEvaluator.start(
            storage: directory.appendingPathComponent("data").path,
            ["--probe.config", file.path, "--rules.dir", rules.path], command: "run")
        do {
            _ = try await HTTP.waitFor(run.baseURL + "/metrics") { $0.contains(#"llm_request_total{model="sim-one""#) }

            try Self.config(["sim-one", "sim-two"]).write(to: file, atomically: true, encoding: .utf8)
            let good = try await HTTP.post(run.baseURL + "/-/reload")
            #expect(good.status == 200, "\(good.body)")
            _ = try await HTTP.waitFor(run.baseURL + "/metrics", timeout: .seconds(15)) {
                $0.contains(#"llm_request_total{model="sim-two""#)
            }

            try "models:\n  - name: broken\n    provder: simulated\n".write(to: file, atomically: true, encoding: .utf8)
            let bad = try await HTTP.post(run.baseURL + "/-/reload")
            #expect(bad.status == 500)
            #expect(bad.body.contains("probe.yml:3:5"), "\(bad.body)")
            let metrics = try await HTTP.get(run.baseURL + "/metrics")
            #expect(metrics.body.contains(#"llm_model_info{model="sim-two""#))
            #expect(!metrics.body.contains(#"model="broken""#))
        } catch {
            await run.stop()
            throw error
        }
        await run.stop()
    }
}
