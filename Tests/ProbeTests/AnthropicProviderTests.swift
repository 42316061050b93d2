import Probe
import Testing

/// The Anthropic Messages client against the Python SDK's captured stream.
@Suite struct AnthropicProviderTests {
    @Test func messagesStreamIsReadWhole() async throws {
        let events = try Fixture.events("anthropic-messages-stream.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let yaml = """
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-3-opus-latest
                    endpoint: \(server.baseURL)
                    api_key: ${ANTHROPIC_API_KEY}
                    pricing: {input_per_million: 15, output_per_million: 75}
                    prompts:
                      - name: greeting
                        system: "Be brief."
                        prompt: "Say hello."
                        max_tokens: 32
                        expect: {contains: "hello there"}
                """
            let harness = try ProbeHarness(yaml: yaml, environment: ["ANTHROPIC_API_KEY": "sk-ant-test-0123456789"])
            let report = try await harness.probe("claude")

            let attempt = try #require(report.attempts.first)
            let outcome = try #require(attempt.outcome)
            #expect(outcome.text == "Hello there!")
            #expect(outcome.contentChunks == 3)
            #expect(outcome.promptTokens == 11)
            #expect(outcome.completionTokens == 6, "message_delta's final count replaces message_start's")
            #expect(attempt.correct == true)

            let request = try #require(server.requests.first)
            #expect(request.target == "/v1/messages")
            #expect(request.headers["x-api-key"] == "sk-ant-test-0123456789")
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["authorization"] == nil)
            let body = try #require(request.json)
            #expect(body["model"] as? String == "claude-3-opus-latest")
            #expect(body["max_tokens"] as? Int == 32)
            #expect(body["stream"] as? Bool == true)
            #expect(body["system"] as? String == "Be brief.")

            let model = ["model": "claude", "provider": "anthropic"]
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "prompt"]) { $1 }) == 11)
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "completion"]) { $1 }) == 6)
            let cost = try #require(try harness.sample("llm_cost_usd_total", model))
            #expect(abs(cost - (11 * 15 + 6 * 75) / 1e6) < 1e-12)
            #expect(
                try harness.sample(
                    "llm_answer_checks_total", model.merging(["prompt": "greeting", "result": "correct"]) { $1 }) == 1)
        }
    }
}
