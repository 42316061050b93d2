import Foundation
import TestSupport
import Testing

/// `promtool check metrics` (Debian's prometheus package) reads a live scrape of the probe and
/// finds nothing to complain about: names, HELP, TYPE, units and counter suffixes all pass.
struct PromtoolCheckMetricsTests {
    @Test func liveScrapeHasNoFindings() async throws {
        let probe = try await RunningProbe.start()
        defer { Task { await probe.stop() } }
        let page = try await HTTP.waitFor("\(probe.baseURL)/metrics") { body in
            body.contains("llm_request_duration_seconds_count{") && body.contains("llm_time_to_first_token_seconds_count{")
        }
        let (status, findings) = try await Self.promtoolCheckMetrics(page)
        #expect(findings.isEmpty, "promtool findings:\n\(findings)")
        #expect(status == 0)
        await probe.stop()
    }

    @Test func openMetricsIsServedWhenAsked() async throws {
        let probe = try await RunningProbe.start()
        defer { Task { await probe.stop() } }
        _ = try await HTTP.waitFor("\(probe.baseURL)/metrics") { $0.contains("llm_request_total{") }
        let reply = try await HTTP.get("\(probe.baseURL)/metrics", headers: [("accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")])
        #expect(reply.contentType?.hasPrefix("application/openmetrics-text") == true)
        #expect(reply.body.hasSuffix("# EOF\n"))
        #expect(reply.body.contains("# TYPE llm_request counter"))
        let plain = try await HTTP.get("\(probe.baseURL)/metrics")
        #expect(plain.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        await probe.stop()
    }

    /// Runs `promtool check metrics` on `page`; returns its exit status and everything it printed.
    static func promtoolCheckMetrics(_ page: String) async throws -> (Int32, String) {
        let result = try await runProgram(try Programs.installed("promtool"), ["check", "metrics"], input: Data(page.utf8))
        return (result.status, result.output)
    }
}
