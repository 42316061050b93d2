import Probe
import Testing

/// Fallback models: tried in order when the primary fails, counted in `llm_fallback_total`.
@Suite struct FallbackTests {
    /// A primary OpenAI-compatible model with an Anthropic fallback, both served at `baseURL`.
    static func yaml(_ baseURL: String) -> String {
        """
        models:
          - name: primary
            provider: openai_compatible
            model: tiny.gguf
            endpoint: \(baseURL)/v1
            fallbacks: [backup]
          - name: backup
            provider: anthropic
            model: claude-3-opus-latest
            endpoint: \(baseURL)
            api_key: test-key-0123456789
        """
    }

    @Test func fallbackAnswersWhenThePrimaryFails() async throws {
        let anthropic = try Fixture.events("anthropic-messages-stream.sse")
        let respond: @Sendable (FixtureRequest) -> FixtureReply = { request in
            request.target.hasPrefix("/v1/chat/")
                ? .body(500, #"{"error":{"message":"boom"}}"#) : .stream(.sending(anthropic))
        }
        try await withFixtureServer(respond) { server in
            let harness = try ProbeHarness(yaml: Self.yaml(server.baseURL))
            let report = try await harness.probe("primary")

            #expect(report.attempts.map(\.model.name) == ["primary", "backup"])
            #expect(report.attempts[0].error?.errorClass == .serverError)
            #expect(report.attempts[1].outcome?.text == "Hello there!")
            #expect(report.succeeded)

            #expect(try harness.sample("llm_fallback_total", ["model": "primary", "fallback": "backup"]) == 1)
            #expect(
                try harness.sample(
                    "llm_probe_success", ["model": "primary", "provider": "openai_compatible", "operation": "probe"])
                    == 0)
            #expect(
                try harness.sample(
                    "llm_probe_success", ["model": "backup", "provider": "anthropic", "operation": "probe"]) == 1)
            #expect(
                try harness.sample(
                    "llm_error_total",
                    ["model": "primary", "provider": "openai_compatible", "operation": "probe", "type": "server_error"])
                    == 1)
        }
    }

    @Test func noFallbackWhenThePrimaryAnswers() async throws {
        let openAI = try Fixture.events("llama-server-stream-include-usage.sse")
        try await withFixtureServer(.stream(.sending(openAI))) { server in
            let harness = try ProbeHarness(yaml: Self.yaml(server.baseURL))
            let report = try await harness.probe("primary")

            #expect(report.attempts.count == 1)
            #expect(server.requests.count == 1)
            #expect(try harness.sample("llm_fallback_total", ["model": "primary", "fallback": "backup"]) == 0)
        }
    }

    @Test func noFallbackCountedWhenEveryModelFails() async throws {
        try await withFixtureServer(.body(503, "upstream unavailable")) { server in
            let harness = try ProbeHarness(yaml: Self.yaml(server.baseURL))
            let report = try await harness.probe("primary")

            #expect(report.attempts.count == 2)
            #expect(!report.succeeded)
            #expect(report.attempts[1].error?.message == "upstream unavailable")
            #expect(try harness.sample("llm_fallback_total", ["model": "primary", "fallback": "backup"]) == 0)
        }
    }
}
