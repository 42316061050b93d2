/// Anthropic's Messages API with `stream: true`.
///
/// Input tokens arrive in `message_start`, the final output token count in `message_delta`;
/// the stream is complete at `message_stop`. An `error` event (such as `overloaded_error`) may
/// arrive mid-stream after a 200.
struct AnthropicProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor
    /// The wire requests built so far, by prompt.
    let requests = WireRequestCache()

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

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        try await StreamingCall.run(
            requests.request(for: prompt, proxy: model.proxy) { wireRequest(prompt) }, timeout: timeout, transport: transport, redactor: redactor,
            decoder: AnthropicStreamDecoder())
    }
}

/// Decodes the Messages API event stream.
struct AnthropicStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private(set) var isComplete = false
    /// The stream ends with `event: message_stop`, or with `event: error`.
    static let endMarkers: [EndMarker] = ["message_stop", "error"]

    /// The fields of one event the probe reads; the rest is only checked to be JSON.
    private struct Event {
        struct Usage { var input_tokens: Int?; var output_tokens: Int? }
        struct Delta { var type: String?; var text: String? }
        struct WireError { var type: String?; var message: String? }
        var type: String?
        var messageUsage: Usage?
        var delta: Delta?
        var usage: Usage?
        var error: WireError?

        init(reading reader: inout JSONReader) throws(JSONReadError) {
            try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "type" {
                    type = try reader.readString()
                } else if key == "message" {
                    var usage: Usage?
                    try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "usage" { usage = try Self.usage(&reader) }
                    }
                    messageUsage = usage
                } else if key == "delta" {
                    delta = try reader.readObject(into: Delta()) {
                        (reader: inout JSONReader, key, wire: inout Delta) throws(JSONReadError) in
                        if key == "type" { wire.type = try reader.readString() }
                        if key == "text" { wire.text = try reader.readString() }
                    }
                } else if key == "usage" {
                    usage = try Self.usage(&reader)
                } else if key == "error" {
                    error = try reader.readObject(into: WireError()) {
                        (reader: inout JSONReader, key, wire: inout WireError) throws(JSONReadError) in
                        if key == "type" { wire.type = try reader.readString() }
                        if key == "message" { wire.message = try reader.readString() }
                    }
                }
            }
            // `type` is required, as the API defines every event with one.
            guard type != nil else { throw JSONReadError() }
        }

        static func usage(_ reader: inout JSONReader) throws(JSONReadError) -> Usage? {
            var usage = Usage()
            return try reader.readObject({ (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "input_tokens" { usage.input_tokens = try reader.readInt() }
                if key == "output_tokens" { usage.output_tokens = try reader.readInt() }
            }) ? usage : nil
        }
    }

    mutating func consume(line: UnsafeBufferPointer<UInt8>, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let sse = events.feed(line) else { return }
        let event = try WireJSON.read(sse.data, what: "\(sse.name.isEmpty ? "stream" : sse.name) event") {
            (reader: inout JSONReader) throws(JSONReadError) in try Event(reading: &reader)
        }
        switch event.type {
        case "message_start":
            outcome.promptTokens = event.messageUsage?.input_tokens
            outcome.completionTokens = event.messageUsage?.output_tokens
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

    mutating func finish(into outcome: inout ProbeOutcome) throws(ProbeError) {
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
