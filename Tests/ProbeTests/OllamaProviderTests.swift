import Probe
import Testing

/// The Ollama `/api/chat` NDJSON client against the API reference's example stream.
@Suite struct OllamaProviderTests {
    @Test func chatStreamCarriesTheServersTimings() async throws {
        let lines = try Fixture.lines("ollama-chat-stream.ndjson")
        try await withFixtureServer(.stream(.sending(lines), contentType: "application/x-ndjson")) { server in
            let yaml = """
                models:
                  - name: llama
                    provider: ollama
                    model: llama3.2
                    endpoint: \(server.baseURL)
                    prompts:
                      - name: sky
                        prompt: "why is the sky blue?"
                        max_tokens: 300
                """
            let harness = try ProbeHarness(yaml: yaml)
            let report = try await harness.probe("llama")

            let outcome = try #require(report.attempts.first?.outcome)
            #expect(outcome.text == "The")
            #expect(outcome.promptTokens == 26)
            #expect(outcome.completionTokens == 282)
            #expect(outcome.modelLoadDuration == .nanoseconds(1_334_875))
            #expect(outcome.promptEvalDuration == .nanoseconds(342_546_000))
            #expect(outcome.serverTotalDuration == .nanoseconds(4_883_583_458))

            let request = try #require(server.requests.first)
            #expect(request.target == "/api/chat")
            let body = try #require(request.json)
            #expect(body["model"] as? String == "llama3.2")
            #expect(body["stream"] as? Bool == true)
            #expect((body["options"] as? [String: Any])?["num_predict"] as? Int == 300)

            let model = ["model": "llama", "provider": "ollama"]
            #expect(try harness.sample("llm_model_load_duration_seconds_sum", model) == 0.001334875)
            #expect(try harness.sample("llm_prompt_eval_duration_seconds_sum", model) == 0.342546)
            #expect(try harness.sample("llm_total_duration_seconds_sum", model) == 4.883583458)
            #expect(try harness.sample("llm_total_duration_seconds_count", model) == 1)
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "completion"]) { $1 }) == 282)
        }
    }
}
