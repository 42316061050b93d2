/// Ollama's `/api/chat` with `stream: true`: one JSON object per line (NDJSON).
///
/// The last object has `done: true` and the server's own timings in nanoseconds:
/// `load_duration`, `prompt_eval_duration`, `total_duration`, with `prompt_eval_count` and
/// `eval_count` as the token counts.
struct OllamaProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor
    /// The wire requests built so far, by prompt.
    let requests = WireRequestCache()

    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        var headers: [(String, String)] = [("accept", "application/x-ndjson")]
        if let key = model.apiKey { headers.append(("authorization", "Bearer \(key.value)")) }
        headers += model.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var messages: [[String: Any]] = []
        if let system = prompt.system { messages.append(["role": "system", "content": system]) }
        messages.append(["role": "user", "content": prompt.text])
        let body: [String: Any] = [
            "model": model.model, "messages": messages, "stream": true,
            "options": ["num_predict": prompt.maxTokens, "temperature": 0],
        ]
        return ((model.endpoint ?? "").appendingPath("/api/chat"), headers, WireJSON.encode(body))
    }

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        try await StreamingCall.run(
            requests.request(for: prompt, proxy: model.proxy) { wireRequest(prompt) }, timeout: timeout, transport: transport, redactor: redactor,
            decoder: OllamaStreamDecoder())
    }
}

/// Decodes Ollama's NDJSON chat stream.
struct OllamaStreamDecoder: StreamDecoder {
    private(set) var isComplete = false
    /// The last line has `"done":true` (Ollama writes no spaces; other spacing only waits for
    /// the body's end), or is an `{"error": …}` object.
    static let endMarkers: [EndMarker] = [#""done":true"#, #""error""#]

    /// The fields of one line the probe reads; the rest is only checked to be JSON.
    private struct Line {
        var content: String?
        var done: Bool?
        var error: String?
        var total_duration: Int?
        var load_duration: Int?
        var prompt_eval_count: Int?
        var prompt_eval_duration: Int?
        var eval_count: Int?

        init(reading reader: inout JSONReader) throws(JSONReadError) {
            try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "message" {
                    var content: String?
                    try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                        if key == "content" { content = try reader.readString() }
                    }
                    self.content = content
                } else if key == "done" {
                    done = try reader.readBool()
                } else if key == "error" {
                    error = try reader.readString()
                } else if key == "total_duration" {
                    total_duration = try reader.readInt()
                } else if key == "load_duration" {
                    load_duration = try reader.readInt()
                } else if key == "prompt_eval_count" {
                    prompt_eval_count = try reader.readInt()
                } else if key == "prompt_eval_duration" {
                    prompt_eval_duration = try reader.readInt()
                } else if key == "eval_count" {
                    eval_count = try reader.readInt()
                }
            }
        }
    }

    mutating func consume(line: UnsafeBufferPointer<UInt8>, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard line.contains(where: { $0 != UInt8(ascii: " ") }) else { return }
        let object = try WireJSON.read(line, what: "stream line") { (reader: inout JSONReader) throws(JSONReadError) in
            try Line(reading: &reader)
        }
        if let error = object.error {
            throw ProbeError(.serverError, error)
        }
        if let content = object.content, !content.isEmpty {
            outcome.text += content
            outcome.contentChunks += 1
        }
        if object.done == true {
            isComplete = true
            outcome.promptTokens = object.prompt_eval_count
            outcome.completionTokens = object.eval_count
            outcome.modelLoadDuration = object.load_duration.map { .nanoseconds(Int64($0)) }
            outcome.promptEvalDuration = object.prompt_eval_duration.map { .nanoseconds(Int64($0)) }
            outcome.serverTotalDuration = object.total_duration.map { .nanoseconds(Int64($0)) }
        }
    }

    mutating func finish(into outcome: inout ProbeOutcome) throws(ProbeError) {
        if !isComplete {
            throw ProbeError(.invalidResponse, "stream ended before the line with \"done\": true")
        }
    }
}
