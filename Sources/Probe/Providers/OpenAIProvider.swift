/// OpenAI Chat Completions with `stream: true`, which also serves every OpenAI-compatible
/// server (vLLM, llama.cpp's `llama-server`, LiteLLM) and Azure OpenAI deployments.
///
/// Usage comes from the final chunk when `stream_options.include_usage` is honoured;
/// llama.cpp adds `timings.prompt_ms`, read as the prompt evaluation time.
struct OpenAIProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor

    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        let base = model.endpoint ?? ""
        var url = base.appendingPath("/chat/completions")
        var headers: [(String, String)] = [("accept", "text/event-stream")]
        if model.provider == .azureOpenAI {
            url += "?api-version=\(model.apiVersion ?? "")"
            if let key = model.apiKey { headers.append(("api-key", key.value)) }
        } else if let key = model.apiKey {
            headers.append(("authorization", "Bearer \(key.value)"))
        }
        headers += model.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var messages: [[String: Any]] = []
        if let system = prompt.system { messages.append(["role": "system", "content": system]) }
        messages.append(["role": "user", "content": prompt.text])
        var body: [String: Any] = [
            "messages": messages, "stream": true, "max_tokens": prompt.maxTokens, "temperature": 0,
        ]
        if !model.model.isEmpty { body["model"] = model.model }
        if model.includeUsage { body["stream_options"] = ["include_usage": true] }
        return (url, headers, WireJSON.encode(body))
    }

    func call(_ prompt: PromptConfig) async throws(ProbeError) -> ProbeOutcome {
        var decoder = OpenAIStreamDecoder()
        return try await StreamingCall.run(wireRequest(prompt), transport: transport, redactor: redactor, decoder: &decoder)
    }
}

/// Decodes `data: {chunk}` events up to `data: [DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private(set) var isComplete = false

    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { var content: String? }
            var delta: Delta?
            var finish_reason: String?
        }
        struct Usage: Decodable { var prompt_tokens: Int?; var completion_tokens: Int? }
        struct Timings: Decodable { var prompt_ms: Double? }
        struct WireError: Decodable { var message: String?; var type: String?; var code: IntOrString? }
        var choices: [Choice]?
        var usage: Usage?
        var timings: Timings?
        var error: WireError?
    }

    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let event = events.feed(line) else { return }
        if event.data.elementsEqual("[DONE]".utf8) {
            isComplete = true
            return
        }
        let chunk = try WireJSON.decode(Chunk.self, from: event.data, what: "stream chunk")
        if let error = chunk.error {
            throw ProbeError(Self.classify(error.type, code: error.code), error.message ?? "error event in stream")
        }
        for choice in chunk.choices ?? [] {
            if let content = choice.delta?.content, !content.isEmpty {
                outcome.text += content
                outcome.contentChunks += 1
            }
        }
        if let usage = chunk.usage {
            outcome.promptTokens = usage.prompt_tokens
            outcome.completionTokens = usage.completion_tokens
        }
        if let promptMilliseconds = chunk.timings?.prompt_ms {
            outcome.promptEvalDuration = .fromSeconds(promptMilliseconds / 1000)
        }
    }

    mutating func finish(at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        if !isComplete {
            throw ProbeError(.invalidResponse, "stream ended before data: [DONE]")
        }
    }

    static func classify(_ type: String?, code: IntOrString?) -> ErrorClass {
        if case .int(let status)? = code { return ProbeError.classify(httpStatus: status) }
        switch type ?? "" {
        case "rate_limit_exceeded", "rate_limit_error", "insufficient_quota": return .rateLimit
        case "invalid_request_error": return .badRequest
        case "authentication_error", "permission_error": return .auth
        default: return .serverError
        }
    }
}

/// A JSON field some servers send as a number and others as a string (`"code": 429` vs
/// `"code": "rate_limit_exceeded"`).
enum IntOrString: Decodable, Equatable {
    case int(Int)
    case string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}
