/// Google Gemini's `models/{model}:streamGenerateContent?alt=sse`.
///
/// Each event is a whole `GenerateContentResponse`; `usageMetadata` carries the token counts
/// and the last one carries a `finishReason`. The stream has no end marker, so a stream that
/// ends without a `finishReason` was cut off.
struct GeminiProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor

    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        var headers: [(String, String)] = [("accept", "text/event-stream")]
        if let key = model.apiKey { headers.append(("x-goog-api-key", key.value)) }
        headers += model.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var body: [String: Any] = [
            "contents": [["role": "user", "parts": [["text": prompt.text]]]],
            "generationConfig": ["maxOutputTokens": prompt.maxTokens, "temperature": 0],
        ]
        if let system = prompt.system { body["systemInstruction"] = ["parts": [["text": system]]] }
        let url = (model.endpoint ?? "").appendingPath("/models/\(model.model):streamGenerateContent?alt=sse")
        return (url, headers, WireJSON.encode(body))
    }

    func call(_ prompt: PromptConfig) async throws(ProbeError) -> ProbeOutcome {
        var decoder = GeminiStreamDecoder()
        return try await StreamingCall.run(wireRequest(prompt), transport: transport, redactor: redactor, decoder: &decoder)
    }
}

/// Decodes Gemini's SSE stream of `GenerateContentResponse` objects.
struct GeminiStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private var sawFinishReason = false
    /// Gemini has no end event: the body's end is the end, so reading goes on until then.
    let isComplete = false

    private struct Response: Decodable {
        struct Candidate: Decodable {
            struct Content: Decodable {
                struct Part: Decodable { var text: String? }
                var parts: [Part]?
            }
            var content: Content?
            var finishReason: String?
        }
        struct Usage: Decodable { var promptTokenCount: Int?; var candidatesTokenCount: Int? }
        struct WireError: Decodable { var code: Int?; var message: String?; var status: String? }
        var candidates: [Candidate]?
        var usageMetadata: Usage?
        var error: WireError?
    }

    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let event = events.feed(line) else { return }
        try handle(event, into: &outcome)
    }

    private mutating func handle(_ event: ServerSentEvent, into outcome: inout ProbeOutcome) throws(ProbeError) {
        let response = try WireJSON.decode(Response.self, from: event.data, what: "stream event")
        if let error = response.error {
            let errorClass = error.code.map(ProbeError.classify(httpStatus:)) ?? .serverError
            throw ProbeError(errorClass, error.message ?? error.status ?? "error event in stream", httpStatus: error.code)
        }
        for candidate in response.candidates ?? [] {
            for part in candidate.content?.parts ?? [] {
                if let text = part.text, !text.isEmpty {
                    outcome.text += text
                    outcome.contentChunks += 1
                }
            }
            if candidate.finishReason != nil { sawFinishReason = true }
        }
        if let usage = response.usageMetadata {
            outcome.promptTokens = usage.promptTokenCount ?? outcome.promptTokens
            outcome.completionTokens = usage.candidatesTokenCount ?? outcome.completionTokens
        }
    }

    mutating func finish(at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        if let event = events.finish() { try handle(event, into: &outcome) }
        if !sawFinishReason {
            throw ProbeError(.invalidResponse, "stream ended before a candidate's finishReason")
        }
    }
}
