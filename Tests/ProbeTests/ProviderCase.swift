import Testing

/// One streaming provider with a captured stream of its own, so behaviour every provider must
/// share (a stream cut off, a bad line, a stall) is tested against each wire format.
struct ProviderCase: Sendable, CustomTestStringConvertible {
    /// The `provider:` value in the config.
    var provider: String
    /// The provider's model id.
    var model: String
    /// What follows the server's base URL in `endpoint:` (the API's base path).
    var basePath: String
    /// The fixture replayed as a successful stream.
    var fixture: String
    /// Whether the fixture is newline-delimited JSON rather than server-sent events.
    var isNDJSON: Bool
    /// A line that is not valid JSON, framed as this provider frames its stream.
    var badLine: String

    var testDescription: String { provider }

    /// The stream's chunks: SSE events or NDJSON lines; the last one carries the end marker
    /// (`[DONE]`, `message_stop`, `"done": true`, or Gemini's `finishReason`).
    func chunks() throws -> [[UInt8]] {
        isNDJSON ? try Fixture.lines(fixture) : try Fixture.events(fixture)
    }

    /// A config with this provider's one model, named `probed`, served at `baseURL`.
    func yaml(baseURL: String, timeout: String = "5s") -> String {
        """
        models:
          - name: probed
            provider: \(provider)
            model: \(model)
            endpoint: \(baseURL)\(basePath)
            api_key: test-key-0123456789
            timeout: \(timeout)
        """
    }

    /// Every streaming wire format the probe speaks.
    static let all: [ProviderCase] = [
        ProviderCase(
            provider: "openai_compatible", model: "tiny.gguf", basePath: "/v1",
            fixture: "llama-server-stream-include-usage.sse", isNDJSON: false,
            badLine: "data: {\"choices\": [{\"delta\"\n\n"),
        ProviderCase(
            provider: "openai", model: "gpt-4o-2024-08-06", basePath: "/v1",
            fixture: "openai-chat-include-usage.sse", isNDJSON: false, badLine: "data: {\"id\": chatcmpl\n\n"),
        ProviderCase(
            provider: "anthropic", model: "claude-3-opus-latest", basePath: "",
            fixture: "anthropic-messages-stream.sse", isNDJSON: false,
            badLine: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\n\n"),
        ProviderCase(
            provider: "gemini", model: "gemini-3.1-flash-lite", basePath: "/v1beta",
            fixture: "gemini-stream-basic-reply-short.sse", isNDJSON: false, badLine: "data: {\"candidates\": [{\n\n"),
        ProviderCase(
            provider: "ollama", model: "llama3.2", basePath: "",
            fixture: "ollama-chat-stream.ndjson", isNDJSON: true, badLine: "{\"model\":\"llama3.2\",\"message\":\n"),
    ]
}
