/// Google Gemini's `models/{model}:streamGenerateContent?alt=sse`.
///
/// Each event is a whole `GenerateContentResponse`; `usageMetadata` carries the token counts
/// and the last one carries a `finishReason`. The stream has no end marker, so a stream that
/// ends without a `finishReason` was cut off.
struct GeminiProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor
    /// The wire requests built so far, by prompt.
    let requests = WireRequestCache()

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

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        try await StreamingCall.run(
            requests.request(for: prompt, proxy: model.proxy) { wireRequest(prompt) }, timeout: timeout, transport: transport, redactor: redactor,
            decoder: GeminiStreamDecoder())
    }
}

/// Decodes Gemini's SSE stream of `GenerateContentResponse` objects.
struct GeminiStreamDecoder: StreamDecoder {
    private var events = ServerSentEventParser()
    private var sawFinishReason = false
    /// Gemini has no end event: the body's end is the end, so reading goes on until then.
    let isComplete = false
    static let endMarkers: [EndMarker] = []

    /// The fields of one response the probe reads; the rest is only checked to be JSON.
    private struct Response {
        struct Usage { var promptTokenCount: Int?; var candidatesTokenCount: Int? }
        struct WireError { var code: Int?; var message: String?; var status: String? }
        /// The non-empty texts of every candidate's parts, concatenated, and how many there were.
        var text = ""
        var textCount = 0
        var sawFinishReason = false
        var usage: Usage?
        var error: WireError?

        init(reading reader: inout JSONReader) throws(JSONReadError) {
            try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "candidates" {
                    try reader.readObjects { (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "content" {
                            try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                                guard key == "parts" else { return }
                                try reader.readObjects { (reader: inout JSONReader, key) throws(JSONReadError) in
                                    if key == "text", let part = try reader.readString(), !part.isEmpty {
                                        text += part
                                        textCount += 1
                                    }
                                }
                            }
                        } else if key == "finishReason" {
                            if try reader.readString() != nil { sawFinishReason = true }
                        }
                    }
                } else if key == "usageMetadata" {
                    usage = try reader.readObject(into: Usage()) {
                        (reader: inout JSONReader, key, wire: inout Usage) throws(JSONReadError) in
                        if key == "promptTokenCount" { wire.promptTokenCount = try reader.readInt() }
                        if key == "candidatesTokenCount" { wire.candidatesTokenCount = try reader.readInt() }
                    }
                } else if key == "error" {
                    error = try reader.readObject(into: WireError()) {
                        (reader: inout JSONReader, key, wire: inout WireError) throws(JSONReadError) in
                        if key == "code" { wire.code = try reader.readInt() }
                        if key == "message" { wire.message = try reader.readString() }
                        if key == "status" { wire.status = try reader.readString() }
                    }
                }
            }
        }
    }

    mutating func consume(line: UnsafeBufferPointer<UInt8>, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard let event = events.feed(line) else { return }
        try handle(event, into: &outcome)
    }

    private mutating func handle(_ event: ServerSentEvent, into outcome: inout ProbeOutcome) throws(ProbeError) {
        let response = try WireJSON.read(event.data, what: "stream event") {
            (reader: inout JSONReader) throws(JSONReadError) in try Response(reading: &reader)
        }
        if let error = response.error {
            let errorClass = error.code.map(ProbeError.classify(httpStatus:)) ?? .serverError
            throw ProbeError(errorClass, error.message ?? error.status ?? "error event in stream", httpStatus: error.code)
        }
        outcome.text += response.text
        outcome.contentChunks += response.textCount
        if response.sawFinishReason { sawFinishReason = true }
        if let usage = response.usage {
            outcome.promptTokens = usage.promptTokenCount ?? outcome.promptTokens
            outcome.completionTokens = usage.candidatesTokenCount ?? outcome.completionTokens
        }
    }

    mutating func finish(into outcome: inout ProbeOutcome) throws(ProbeError) {
        if let event = events.finish() { try handle(event, into: &outcome) }
        if !sawFinishReason {
            throw ProbeError(.invalidResponse, "stream ended before a candidate's finishReason")
        }
    }
}
