/// Ollama's `/api/chat` with `stream: true`: one JSON object per line (NDJSON).
///
/// The last object has `done: true` and the server's own timings in nanoseconds:
/// `load_duration`, `prompt_eval_duration`, `total_duration`, with `prompt_eval_count` and
/// `eval_count` as the token counts.
struct OllamaProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor

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

    func call(_ prompt: PromptConfig) async throws(ProbeError) -> ProbeOutcome {
        var decoder = OllamaStreamDecoder()
        return try await StreamingCall.run(wireRequest(prompt), transport: transport, redactor: redactor, decoder: &decoder)
    }
}

/// Decodes Ollama's NDJSON chat stream.
struct OllamaStreamDecoder: StreamDecoder {
    private(set) var isComplete = false

    private struct Line: Decodable {
        struct Message: Decodable { var content: String? }
        var message: Message?
        var done: Bool?
        var error: String?
        var total_duration: Int64?
        var load_duration: Int64?
        var prompt_eval_count: Int?
        var prompt_eval_duration: Int64?
        var eval_count: Int?
    }

    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        guard line.contains(where: { $0 != UInt8(ascii: " ") }) else { return }
        let object = try WireJSON.decode(Line.self, from: line, what: "stream line")
        if let error = object.error {
            throw ProbeError(.serverError, error)
        }
        if let content = object.message?.content, !content.isEmpty {
            outcome.text += content
            outcome.contentChunks += 1
        }
        if object.done == true {
            isComplete = true
            outcome.promptTokens = object.prompt_eval_count
            outcome.completionTokens = object.eval_count
            outcome.modelLoadDuration = object.load_duration.map { .nanoseconds($0) }
            outcome.promptEvalDuration = object.prompt_eval_duration.map { .nanoseconds($0) }
            outcome.serverTotalDuration = object.total_duration.map { .nanoseconds($0) }
        }
    }

    mutating func finish(at now: ContinuousClock.Instant, into outcome: inout ProbeOutcome) throws(ProbeError) {
        if !isComplete {
            throw ProbeError(.invalidResponse, "stream ended before the line with \"done\": true")
        }
    }
}
