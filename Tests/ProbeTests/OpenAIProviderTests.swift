import Foundation
import Probe
import Testing

/// The OpenAI Chat Completions client against replays of real streams: llama.cpp's
/// `llama-server` and `llama-cpp-python` (OpenAI-compatible), and OpenAI's own API.
@Suite struct OpenAIProviderTests {
    /// A one-model config for an OpenAI-compatible server at `endpoint`.
    static func yaml(endpoint: String, provider: String = "openai_compatible", extra: String = "") -> String {
        """
        models:
          - name: llama
            provider: \(provider)
            model: tiny.gguf
            endpoint: \(endpoint)/v1
            api_key: ${TEST_KEY}
            timeout: 5s
            pricing: {input_per_million: 1.0, output_per_million: 2.0}
        \(extra)
        """
    }

    @Test func llamaServerStreamWithUsageIsReadWhole() async throws {
        let events = try Fixture.events("llama-server-stream-include-usage.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let harness = try ProbeHarness(
                yaml: Self.yaml(endpoint: server.baseURL), environment: ["TEST_KEY": "sk-test-0123456789abcdef"])
            let report = try await harness.probe("llama")

            let outcome = try #require(report.attempts.first?.outcome)
            #expect(outcome.text == #"e~9TRkxkSln$zmXf:x5Ed:.9G5=[[p".9p#G-/Ed9650Ed:jQp#Gu96Z:<[=R29T"#)
            #expect(outcome.contentChunks == 64)
            #expect(outcome.promptTokens == 38)
            #expect(outcome.completionTokens == 64)
            #expect(outcome.promptEvalDuration == .nanoseconds(202_000))
            #expect(outcome.timeToFirstToken != nil)

            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer sk-test-0123456789abcdef")
            let body = try #require(request.json)
            #expect(body["model"] as? String == "tiny.gguf")
            #expect(body["stream"] as? Bool == true)
            #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)

            let model = ["model": "llama", "provider": "openai_compatible"]
            let check = model.merging(["operation": "probe"]) { $1 }
            #expect(try harness.sample("llm_request_total", check) == 1)
            #expect(try harness.sample("llm_probe_success", check) == 1)
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "prompt"]) { $1 }) == 38)
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "completion"]) { $1 }) == 64)
            let cost = try #require(try harness.sample("llm_cost_usd_total", model))
            #expect(abs(cost - (38 * 1.0 + 64 * 2.0) / 1e6) < 1e-12)
            #expect(try harness.sample("llm_prompt_eval_duration_seconds_count", model) == 1)
            #expect(try harness.sample("llm_prompt_eval_duration_seconds_sum", model) == 0.000202)
            #expect(try harness.sample("llm_time_to_first_token_seconds_count", check) == 1)
            #expect(try harness.sample("llm_time_per_output_token_seconds_count", check) == 1)
            #expect(try harness.sample("llm_request_duration_seconds_count", check) == 1)
            #expect(try harness.sample("llm_error_total", check.merging(["type": "invalid_response"]) { $1 }) == 0)
        }
    }

    @Test func streamWithoutUsageRecordsNoTokensOrCost() async throws {
        let events = try Fixture.events("llama-cpp-python-stream.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let harness = try ProbeHarness(
                yaml: Self.yaml(endpoint: server.baseURL, extra: "    include_usage: false"),
                environment: ["TEST_KEY": "k"])
            let report = try await harness.probe("llama")

            let outcome = try #require(report.attempts.first?.outcome)
            #expect(outcome.text == "eL$IL$(E^pZ:xkxkiyPTO3-Ulni~9<.mhQ1Q-NG-:DESl/K&ju47E[[[fuT@P<[h")
            #expect(outcome.contentChunks == 64)
            #expect(outcome.promptTokens == nil)
            #expect(outcome.completionTokens == nil)
            #expect(outcome.timePerOutputToken != nil, "without usage, TPOT falls back to the content chunk count")

            #expect(server.requests.first?.json?["stream_options"] == nil)
            let model = ["model": "llama", "provider": "openai_compatible"]
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "prompt"]) { $1 }) == nil)
            #expect(try harness.sample("llm_cost_usd_total", model) == nil)
            #expect(try harness.sample("llm_prompt_eval_duration_seconds_count", model) == nil)
        }
    }

    @Test func openAIStreamWithUsageChunkAndJSONAnswer() async throws {
        let events = try Fixture.events("openai-chat-include-usage.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let yaml = """
                models:
                  - name: gpt-4o
                    provider: openai
                    model: gpt-4o-2024-08-06
                    endpoint: \(server.baseURL)/v1
                    api_key: ${OPENAI_API_KEY}
                    pricing: {input_per_million: 2.5, output_per_million: 10}
                    prompts:
                      - name: weather
                        prompt: "What's the weather like in SF?"
                        expect: {json_field: city, equals: San Francisco}
                """
            let harness = try ProbeHarness(yaml: yaml, environment: ["OPENAI_API_KEY": "sk-proj-abcdefghijklmnop"])
            let report = try await harness.probe("gpt-4o")

            let attempt = try #require(report.attempts.first)
            let outcome = try #require(attempt.outcome)
            #expect(outcome.text == #"{"city":"San Francisco","temperature":68,"units":"f"}"#)
            #expect(outcome.promptTokens == 17)
            #expect(outcome.completionTokens == 14)
            #expect(attempt.correct == true)

            let model = ["model": "gpt-4o", "provider": "openai"]
            #expect(try harness.sample("llm_tokens_total", model.merging(["type": "completion"]) { $1 }) == 14)
            let cost = try #require(try harness.sample("llm_cost_usd_total", model))
            #expect(abs(cost - (17 * 2.5 + 14 * 10) / 1e6) < 1e-12)
            #expect(
                try harness.sample(
                    "llm_answer_checks_total", model.merging(["prompt": "weather", "result": "correct"]) { $1 }) == 1)
            #expect(try harness.sample("llm_answer_correct", model.merging(["prompt": "weather"]) { $1 }) == 1)
        }
    }

    @Test func azureDeploymentIsCalledWithItsVersionAndKeyHeader() async throws {
        let events = try Fixture.events("openai-chat-include-usage.sse")
        try await withFixtureServer(.stream(.sending(events))) { server in
            let yaml = """
                models:
                  - name: azure-gpt-4o
                    provider: azure_openai
                    model: gpt-4o
                    endpoint: \(server.baseURL)/openai/deployments/gpt-4o
                    api_version: "2024-10-21"
                    api_key: ${AZURE_OPENAI_API_KEY}
                """
            let harness = try ProbeHarness(yaml: yaml, environment: ["AZURE_OPENAI_API_KEY": "azure-key-0123456789"])
            let report = try await harness.probe("azure-gpt-4o")

            #expect(report.attempts.first?.outcome?.completionTokens == 14)
            let request = try #require(server.requests.first)
            #expect(request.target == "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
            #expect(request.headers["api-key"] == "azure-key-0123456789")
            #expect(request.headers["authorization"] == nil)
            let series = ["model": "azure-gpt-4o", "provider": "azure_openai", "type": "prompt"]
            #expect(try harness.sample("llm_tokens_total", series) == 17)
        }
    }
}
