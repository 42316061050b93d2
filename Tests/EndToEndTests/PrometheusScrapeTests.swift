import TestSupport
import Foundation
import Testing

/// A real `prometheus` (Debian's 2.42) scrapes a running probe, and its query API returns the
/// probe's series.
struct PrometheusScrapeTests {
    @Test func prometheusQueriesTheProbesSeries() async throws {
        let probe = try await RunningProbe.start()
        defer { Task { await probe.stop() } }
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try Programs.freePort()
        let config = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: llmwatch
                static_configs:
                  - targets: ['127.0.0.1:\(probe.port)']
            """
        let configPath = directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let prometheus = try ManagedProcess(
            try Programs.installed("prometheus"),
            ["--config.file=\(configPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(port)"])
        defer { Task { await prometheus.stop() } }

        let api = "http://127.0.0.1:\(port)/api/v1/query?query="
        let up = try await HTTP.waitFor(api + "up%7Bjob%3D%22llmwatch%22%7D", timeout: .seconds(60)) { $0.contains("\"value\":[") }
        #expect(up.contains("\"1\"]"), "up: \(up)")
        let requests = try await HTTP.waitFor(api + "llm_request_total", timeout: .seconds(60)) { body in
            ["sim-gpt-4", "sim-claude-3-5-sonnet", "sim-gemini-1.5-pro"].allSatisfy { body.contains("\"model\":\"\($0)\"") }
        }
        #expect(requests.contains("\"provider\":\"simulated\""))
        let ttft = try await HTTP.waitFor(api + "llm_time_to_first_token_seconds_count", timeout: .seconds(60)) { $0.contains("sim-gpt-4") }
        #expect(ttft.contains("\"operation\":\"probe\""))
        await prometheus.stop()
        await probe.stop()
    }
}
