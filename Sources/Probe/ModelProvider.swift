import Synchronization

/// One way of calling a model. Every provider returns the same ``ProbeOutcome``, which the
/// ``Prober`` turns into metrics, so adding a provider touches no metric code.
public protocol ModelProvider: Sendable {
    /// Calls the model once with `prompt`, streaming, and measures the answer; an answer not
    /// complete within `timeout` (connecting included) fails as ``ErrorClass/timeout``.
    /// Throws ``ProbeError`` for every failure; never traps on what the server sends.
    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome
    /// The request as it would be sent (method, URL, body), for `/probe?debug=true`;
    /// credentials never appear in it.
    func describeRequest(_ prompt: PromptConfig) -> String
}

/// Builds the provider a model's configuration names.
public enum ProviderFactory {
    /// The provider for `model`, sharing `transport`.
    public static func make(for model: ModelConfig, transport: HTTPTransport, redactor: SecretRedactor) -> any ModelProvider {
        switch model.provider {
        case .openai, .openaiCompatible, .azureOpenAI:
            return OpenAIProvider(model: model, transport: transport, redactor: redactor)
        case .anthropic:
            return AnthropicProvider(model: model, transport: transport, redactor: redactor)
        case .gemini:
            return GeminiProvider(model: model, transport: transport, redactor: redactor)
        case .ollama:
            return OllamaProvider(model: model, transport: transport, redactor: redactor)
        case .prediction:
            return PredictionProvider(model: model, transport: transport, redactor: redactor)
        case .simulated:
            return SimulatedProvider(model: model)
        }
    }
}

/// What HTTP-backed providers share: the request they build and how it is described.
protocol HTTPModelProvider: ModelProvider {
    var transport: HTTPTransport { get }
    var redactor: SecretRedactor { get }
    /// URL, headers (credentials included) and JSON body for one call.
    func wireRequest(_ prompt: PromptConfig) -> (url: String, headers: [(String, String)], body: [UInt8])
}

extension HTTPModelProvider {
    func describeRequest(_ prompt: PromptConfig) -> String {
        let request = wireRequest(prompt)
        let headers = request.headers.map { name, value in
            Self.isCredentialHeader(name) ? "\(name): <redacted>" : "\(name): \(redactor.redact(value))"
        }
        return (["POST \(redactor.redact(request.url))"] + headers + ["", String(decoding: request.body, as: UTF8.self)])
            .joined(separator: "\n")
    }

    static func isCredentialHeader(_ name: String) -> Bool {
        ["authorization", "x-api-key", "api-key", "x-goog-api-key"].contains(name.lowercased())
    }
}

/// The requests a provider built, by prompt: the URL, headers and JSON body of a call depend
/// only on the model's configuration and the prompt, and encoding the body costs more CPU than
/// reading a whole streamed answer, so it is done once per prompt, into a ready ``HTTPRequest``.
final class WireRequestCache: Sendable {
    typealias WireRequest = (url: String, headers: [(String, String)], body: [UInt8])

    private struct Key: Hashable {
        var name: String
        var system: String?
        var text: String
        var maxTokens: Int
    }

    /// Prompts kept at most; a provider is called with its model's few configured prompts, so
    /// this only bounds ad-hoc ones.
    static let capacity = 64
    private let requests = Mutex<[Key: HTTPRequest]>([:])

    /// The POST for `prompt` (through `proxy`, the model's), built from `build`'s wire request
    /// the first time; a URL that cannot be requested throws (and is not kept).
    func request(
        for prompt: PromptConfig, proxy: ProxyServer?, _ build: () -> WireRequest
    ) throws(ProbeError) -> HTTPRequest {
        let key = Key(name: prompt.name, system: prompt.system, text: prompt.text, maxTokens: prompt.maxTokens)
        if let request = requests.withLock({ $0[key] }) { return request }
        let request = try HTTPTransport.post(build(), proxy: proxy)
        requests.withLock { requests in
            if requests.count >= Self.capacity { requests.removeAll() }
            requests[key] = request
        }
        return request
    }
}

extension String {
    /// The URL with a path appended, without doubling the slash between them.
    func appendingPath(_ path: String) -> String {
        hasSuffix("/") ? String(dropLast()) + path : self + path
    }
}
