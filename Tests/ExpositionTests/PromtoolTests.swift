import Foundation
import TestSupport
import Testing

import Exposition

/// Runs Prometheus's own linter on our pages when `promtool` is installed
/// (`apt-get install prometheus`); skipped otherwise.
@Suite("promtool check metrics")
struct PromtoolTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func pageHasNoFindings() async throws {
        let registry = MetricRegistry()
        let requests = registry.counter(
            name: "llm_requests_total", help: "Requests sent to models.", labelNames: ["model", "provider"])
        let latency = registry.histogram(
            name: "llm_request_duration_seconds", help: "Time to the last token.", labelNames: ["model", "provider"],
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120])
        _ = registry.gauge(name: "llm_models_configured", help: "Models in the configuration.")
        _ = registry.counter(name: "llm_errors_total", help: "Errors \"by\" kind\\n.", labelNames: ["kind"])
        for model in ["gpt-4o", "quote\"and\\back\nslash"] {
            requests.labels(model, "openai").inc(3)
            latency.labels(model, "openai").observe(0.7)
        }
        struct Build: MetricCollector {
            func collect() -> [MetricFamilySnapshot] {
                [.gauge(name: "llmwatch_build_info", help: "Build.", value: 1, labels: [Label("version", "0.1.0")])]
            }
        }
        registry.register(collector: Build())

        let result = try await runProgram(
            try #require(Self.promtool), ["check", "metrics"], input: Data(registry.render(.text004)))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.isEmpty, "\(result.output)")
    }
}
