/// Anthropic's Messages API with `stream: true`.
///
/// Input tokens arrive in `message_start`, the final output token count in `message_delta`;
/// the stream is complete at `message_stop`. An `error` event (such as `overloaded_error`) may
/// arrive mid-stream after a 200.
struct AnthropicProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor

    /// The API version header every request carries.
    static let apiVersion = "2023-06-01"

    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        var headers: [(String, String)] = [("anthropic-version", Self.apiVersion), ("accept", "text/event-stream")]
        if let key = model.apiKey { headers.append(("x-api-key", key.value)) }
        headers += model.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var body: [String: Any] = [
            "model": model.model, "max_tokens": prompt.maxTokens, "stream": true, "temperature": 0,
            "messages": [["role": "user", "content": prompt.text]],
        ]
        if let system = prompt.system { body["system"] = system }
        return ((model.endpoint ?? "").appendingPath("/v1/messages"), headers, WireJSON.encode(body))
    }

    func call(_ prompt: PromptConfig) async throws(ProbeError) -> ProbeOutcome {
        var decoder = AnthropicStreamDecoder()
        return try await StreamingCall.run(wireRequest(prompt), transport: transport, redactor: redactor, decoder: &decoder)
    }
}

/// Decodes the Messages API event stream.
struct AnthropicStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private(set) var isComplete = false

    private struct Event: Decodable {
        struct Usage: Decodable { var input_tokens: Int?; var output_tokens: Int? }
        struct Message: Decodable { var usage: Usage? }
        struct Delta: Decodable { var type: String?; var text: String? }
        struct WireError: Decodable { var type: String?; var message: String? }
        var type: String
        var message: Message?
        var delta: Delta?
        var usage: Usage?
        var error: WireError?
    }

    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let sse = events.feed(line) else { return }
        let event = try WireJSON.decode(Event.self, from: sse.data, what: "\(sse.name.isEmpty ? "stream" : sse.name) event")
        switch event.type {
        case "message_start":
            outcome.promptTokens = event.message?.usage?.input_tokens
            outcome.completionTokens = event.message?.usage?.output_tokens
        case "content_block_delta":
            if event.delta?.type == "text_delta", let text = event.delta?.text, !text.isEmpty {
                outcome.text += text
                outcome.contentChunks += 1
            }
        case "message_delta":
            if let output = event.usage?.output_tokens { outcome.completionTokens = output }
            if let input = event.usage?.input_tokens { outcome.promptTokens = input }
        case "message_stop":
            isComplete = true
        case "error":
            throw ProbeError(Self.classify(event.error?.type), event.error?.message ?? "error event in stream")
        default:
            break
        }
    }

    mutating func finish(at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        if !isComplete {
            throw ProbeError(.invalidResponse, "stream ended before message_stop")
        }
    }

    /// Anthropic's error types, mapped onto our classes.
    static func classify(_ type: String?) -> ErrorClass {
        switch type ?? "" {
        case "rate_limit_error": return .rateLimit
        case "authentication_error", "permission_error": return .auth
        case "invalid_request_error", "not_found_error", "request_too_large": return .badRequest
        default: return .serverError
        }
    }
}
