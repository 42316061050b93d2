import Foundation

/// A plain JSON model endpoint (a fraud detector, a classifier): the prompt's `input` is POSTed
/// as the body, and the answer is read from the response at the configured field path.
///
/// There is no stream, so there is no time to first token; the call's duration is the
/// prediction latency of the `model_*` family.
struct PredictionProvider: HTTPModelProvider {
    let model: ModelConfig
    let transport: HTTPTransport
    let redactor: SecretRedactor

    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        var headers: [(String, String)] = [("accept", "application/json")]
        if let key = model.apiKey { headers.append(("authorization", "Bearer \(key.value)")) }
        headers += model.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return (model.endpoint ?? "", headers, Array(prompt.text.utf8))
    }

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        let start = ContinuousClock.now
        let body = try await transport.fetchBody(HTTPTransport.post(wireRequest(prompt), proxy: model.proxy), timeout: timeout, redactor: redactor)
        var outcome = ProbeOutcome()
        outcome.totalDuration = ContinuousClock.now - start
        guard let settings = model.prediction,
            let document = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        else {
            throw ProbeError(.invalidResponse, "response is not valid JSON: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        guard let value = JSONPath.value(at: settings.predictionField, in: document) else {
            throw ProbeError(.invalidResponse, "response has no field \"\(settings.predictionField)\"")
        }
        outcome.text = JSONPath.text(of: value)
        if let field = settings.confidenceField {
            guard let confidence = JSONPath.value(at: field, in: document).flatMap({ Double(JSONPath.text(of: $0)) }) else {
                throw ProbeError(.invalidResponse, "response has no numeric field \"\(field)\"")
            }
            outcome.confidence = confidence
        }
        return outcome
    }
}
