import Probe
import Testing

/// The Gemini `streamGenerateContent?alt=sse` client against the Firebase SDKs' captured stream.
@Suite struct GeminiProviderTests {
    @Test func streamGenerateContentIsReadWhole() async throws {
        let events = try Fixture.events("gemini-stream-basic-reply-short.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let yaml = """
                models:
                  - name: gemini
                    provider: gemini
                    model: gemini-3.1-flash-lite
                    endpoint: \(server.baseURL)/v1beta
                    api_key: ${GEMINI_API_KEY}
                    pricing: {input_per_million: 0.1, output_per_million: 0.4}
                    prompts:
                      - name: capital
                        prompt: "What is the capital of Wyoming?"
                        expect: {regex: "\\\\*\\\\*Cheyenne\\\\*\\\\*"}
                """
            let harness = try ProbeHarness(yaml: yaml, environment: ["GEMINI_API_KEY": "AIza-test-0123456789"])
            let report = try await harness.probe("gemini")

            let attempt = try #require(report.attempts.first)
            let outcome = try #require(attempt.outcome)
            #expect(outcome.text == "The capital of Wyoming is **Cheyenne**.\n")
            #expect(outcome.contentChunks == 3)
            #expect(outcome.promptTokens == 7)
            #expect(outcome.completionTokens == 10)
            #expect(attempt.correct == true)

            let request = try #require(server.requests.first)
            #expect(request.target == "/v1beta/models/gemini-3.1-flash-lite:streamGenerateContent?alt=sse")
            #expect(request.headers["x-goog-api-key"] == "AIza-test-0123456789")
            let body = try #require(request.json)
            let generation = try #require(body["generationConfig"] as? [String: Any])
            #expect(generation["maxOutputTokens"] as? Int == 64)

            let model = ["model": "gemini", "provider": "gemini"]
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "prompt"]) { $1 }) == 7)
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "completion"]) { $1 }) == 10)
            let cost = try #require(try harness.sample("llm_cost_usd_total", model))
            #expect(abs(cost - (7 * 0.1 + 10 * 0.4) / 1e6) < 1e-12)
        }
    }
}
