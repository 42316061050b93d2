/// OpenAI Chat Completions with `stream: true`, which also serves every OpenAI-compatible
/// server (vLLM, llama.cpp's `llama-server`, LiteLLM) and Azure OpenAI deployments.
///
/// Usage comes from the final chunk when `stream_options.include_usage` is honoured;
/// llama.cpp adds `timings.prompt_ms`, read as the prompt evaluation time.
struct OpenAIProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor
    /// The wire requests built so far, by prompt.
    let requests = WireRequestCache()

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

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        try await StreamingCall.run(
            requests.request(for: prompt, proxy: model.proxy) { wireRequest(prompt) }, timeout: timeout, transport: transport, redactor: redactor,
            decoder: OpenAIStreamDecoder())
    }
}

/// Decodes `data: {chunk}` events up to `data: [DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private(set) var isComplete = false
    /// The stream ends with `data: [DONE]`, or with a chunk whose `error` object says why.
    static let endMarkers: [EndMarker] = ["[DONE]", #""error""#]

    /// The fields of one chunk the probe reads (`choices[].delta.content`, `usage`,
    /// llama.cpp's `timings.prompt_ms`, an `error` object); the rest is only checked to be JSON.
    private struct Chunk {
        struct WireError { var message: String?; var type: String?; var code: IntOrString? }
        /// The non-empty contents of every choice, concatenated, and how many there were.
        var text = ""
        var contentCount = 0
        var promptTokens: Int??
        var completionTokens: Int?
        var promptMilliseconds: Double?
        var error: WireError?

        init(reading reader: inout JSONReader) throws(JSONReadError) {
            try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "choices" {
                    try reader.readObjects { (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "delta" {
                            try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                                if key == "content", let content = try reader.readString(), !content.isEmpty {
                                    text += content
                                    contentCount += 1
                                }
                            }
                        } else if key == "finish_reason" {
                            _ = try reader.readString()
                        }
                    }
                } else if key == "usage" {
                    var prompt: Int?
                    var completion: Int?
                    if try reader.readObject({ (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "prompt_tokens" { prompt = try reader.readInt() }
                        if key == "completion_tokens" { completion = try reader.readInt() }
                    }) {
                        promptTokens = .some(prompt)
                        completionTokens = completion
                    } else {
                        promptTokens = nil
                        completionTokens = nil
                    }
                } else if key == "timings" {
                    var milliseconds: Double?
                    try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "prompt_ms" { milliseconds = try reader.readDouble() }
                    }
                    promptMilliseconds = milliseconds
                } else if key == "error" {
                    error = try reader.readObject(into: WireError()) {
                        (reader: inout JSONReader, key, wire: inout WireError) throws(JSONReadError) in
                        if key == "message" { wire.message = try reader.readString() }
                        if key == "type" { wire.type = try reader.readString() }
                        if key == "code" { wire.code = try reader.readIntOrString() }
                    }
                }
            }
        }
    }

    mutating func consume(line: UnsafeBufferPointer<UInt8>, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let event = events.feed(line) else { return }
        if event.dataIs("[DONE]") {
            isComplete = true
            return
        }
        let chunk = try WireJSON.read(event.data, what: "stream chunk") { (reader: inout JSONReader) throws(JSONReadError) in
            try Chunk(reading: &reader)
        }
        if let error = chunk.error {
            throw ProbeError(Self.classify(error.type, code: error.code), error.message ?? "error event in stream")
        }
        outcome.text += chunk.text
        outcome.contentChunks += chunk.contentCount
        if let promptTokens = chunk.promptTokens {
            outcome.promptTokens = promptTokens
            outcome.completionTokens = chunk.completionTokens
        }
        if let promptMilliseconds = chunk.promptMilliseconds {
            outcome.promptEvalDuration = .fromSeconds(promptMilliseconds / 1000)
        }
    }

    mutating func finish(into outcome: inout ProbeOutcome) throws(ProbeError) {
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
enum IntOrString: Decodable, Equatable, Sendable {
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
