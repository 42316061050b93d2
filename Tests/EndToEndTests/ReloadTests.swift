import TestSupport
import Foundation
import Testing

/// Configuration errors stop a start with file:line:col; a bad reload is rejected while the
/// running configuration keeps probing; a good reload (POST /-/reload or SIGHUP) takes effect.
struct ReloadTests {
    static func config(models: [String]) -> String {
        "global: {schedule: 1s, timeout: 5s}\nmodels:\n"
            + models.map { "  - {name: \($0), provider: simulated, simulation: {time_to_first_token: 10ms, time_per_token: 1ms, error_ratio: 0, rate_limit_ratio: 0}}\n" }.joined()
    }

    @Test func badConfigFailsAtStartWithPosition() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.yml").path
        try "models:\n  - name: x\n    provder: openai\n".write(toFile: path, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(try Programs.llmwatch, ["probe", "--config.file=\(path)", "--web.listen-address=127.0.0.1:0"])
        let status = try await process.waitForExit()
        #expect(status == 1)
        #expect(process.output.contains("\(path):3:5: unknown field \\\"provder\\\""), "\(process.output)")
        await process.stop()
    }

    @Test func reloadRejectsBadConfigAndAppliesGoodOne() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("probe.yml").path
        try Self.config(models: ["alpha"]).write(toFile: path, atomically: true, encoding: .utf8)
        let probe = try await RunningProbe.start(["--config.file=\(path)"])
        defer { Task { await probe.stop() } }
        _ = try await HTTP.waitFor("\(probe.baseURL)/metrics") { $0.contains("llm_request_total{model=\"alpha\"") }

        try "models:\n  - {name: beta, provider: nope}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let rejected = try await HTTP.post("\(probe.baseURL)/-/reload")
        #expect(rejected.status == 500)
        #expect(rejected.body.contains("\(path):2:") && rejected.body.contains("unknown provider \"nope\""), "\(rejected.body)")
        let before = try await Self.requests(probe, model: "alpha")
        try await Task.sleep(for: .seconds(2.5))
        let after = try await Self.requests(probe, model: "alpha")
        #expect(after > before, "the old configuration must keep probing after a rejected reload")

        try Self.config(models: ["alpha", "beta"]).write(toFile: path, atomically: true, encoding: .utf8)
        let accepted = try await HTTP.post("\(probe.baseURL)/-/reload")
        #expect(accepted.status == 200)
        _ = try await HTTP.waitFor("\(probe.baseURL)/metrics") { $0.contains("llm_request_total{model=\"beta\"") }
        #expect(try await Self.requests(probe, model: "alpha") >= after, "counters survive a reload")

        try Self.config(models: ["alpha", "beta", "gamma"]).write(toFile: path, atomically: true, encoding: .utf8)
        probe.process.send(SIGHUP)
        _ = try await HTTP.waitFor("\(probe.baseURL)/metrics") { $0.contains("llm_model_info{model=\"gamma\"") }
        await probe.stop()
    }

    static func requests(_ probe: RunningProbe, model: String) async throws -> Double {
        let page = try await HTTP.get("\(probe.baseURL)/metrics").body
        let prefix = "llm_request_total{model=\"\(model)\",provider=\"simulated\",operation=\"probe\"} "
        guard let line = page.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            throw TestFailure("no \(prefix) in:\n\(page)")
        }
        return Double(line.dropFirst(prefix.count)) ?? -1
    }
}
