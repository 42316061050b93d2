import Config
import Foundation

/// The probe's whole configuration: which models to call, how, how often, and what to expect.
///
/// Two document shapes load into it: llmwatch's own (`models:` at the top, see
/// `examples/probe.yml`) and the `monitoring:` shape our users already write (see
/// ``MonitoringDocument``).
public struct ProbeConfig: Sendable {
    /// Models in the order the file lists them; names are unique.
    public var models: [ModelConfig]
    /// Bucket boundaries (seconds) for the request duration and time-to-first-token histograms.
    public var latencyBuckets: [Double]
    /// Bucket boundaries (seconds) for the time-per-output-token histogram.
    public var tokenLatencyBuckets: [Double]
    /// The file it came from, or `"<embedded>"`.
    public var source: String

    /// LLM latencies run from a few hundred milliseconds to minutes.
    public static let defaultLatencyBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300]
    /// Per-token latencies: a fast local model is ~5 ms/token, a slow hosted one ~200 ms.
    public static let defaultTokenLatencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1]

    /// A configuration from parts (tests and the embedded default).
    public init(models: [ModelConfig], latencyBuckets: [Double] = defaultLatencyBuckets,
                tokenLatencyBuckets: [Double] = defaultTokenLatencyBuckets, source: String = "<embedded>") {
        self.models = models
        self.latencyBuckets = latencyBuckets
        self.tokenLatencyBuckets = tokenLatencyBuckets
        self.source = source
    }

    /// The model with this name, if configured.
    public func model(named name: String) -> ModelConfig? {
        models.first { $0.name == name }
    }

    /// Every credential in the configuration, for the ``SecretRedactor``.
    public var secrets: [String] {
        models.compactMap { $0.apiKey?.value } + models.flatMap { $0.secretValues }
    }
}

/// A credential. Its `description` never shows the value, so string interpolation cannot leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    /// The credential itself; read only where a request header is built.
    public let value: String
    /// Wraps a value.
    public init(_ value: String) { self.value = value }
    public var description: String { "<secret>" }
}

/// The wire protocol a model is called over.
public enum ProviderKind: String, Sendable, CaseIterable {
    /// OpenAI Chat Completions at api.openai.com.
    case openai
    /// Any server speaking the Chat Completions API: vLLM, llama.cpp, LiteLLM, TGI, LM Studio.
    case openaiCompatible = "openai_compatible"
    /// Azure OpenAI: a deployment URL, an `api-version` and an `api-key` header.
    case azureOpenAI = "azure_openai"
    /// Anthropic Messages API.
    case anthropic
    /// Google Gemini `streamGenerateContent?alt=sse`.
    case gemini
    /// Ollama `/api/chat` (NDJSON).
    case ollama
    /// A plain JSON prediction endpoint (the `model_*` metric family).
    case prediction
    /// No network: latencies, errors and drift drawn from configured distributions.
    case simulated

    /// Names accepted in configs for convenience, mapped onto a kind.
    static let aliases: [String: ProviderKind] = [
        "google": .gemini, "vllm": .openaiCompatible, "llamacpp": .openaiCompatible,
        "llama.cpp": .openaiCompatible, "litellm": .openaiCompatible, "azure": .azureOpenAI,
    ]

    /// Parses a provider name or alias.
    public static func named(_ name: String) -> ProviderKind? {
        ProviderKind(rawValue: name.lowercased()) ?? aliases[name.lowercased()]
    }

    /// The endpoint used when the config gives none.
    var defaultEndpoint: String? {
        switch self {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com"
        case .gemini: return "https://generativelanguage.googleapis.com/v1beta"
        case .ollama: return "http://127.0.0.1:11434"
        case .openaiCompatible, .azureOpenAI, .prediction, .simulated: return nil
        }
    }

    /// The environment variable read for the key when the config names none, as each
    /// provider's official SDK does.
    var defaultKeyVariable: String? {
        switch self {
        case .openai: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .gemini: return "GEMINI_API_KEY"
        case .azureOpenAI: return "AZURE_OPENAI_API_KEY"
        default: return nil
        }
    }

    /// Whether a call without a key is certain to fail with 401 (hosted APIs).
    var requiresKey: Bool {
        switch self {
        case .openai, .anthropic, .gemini, .azureOpenAI: return true
        default: return false
        }
    }
}

/// One monitored model.
public struct ModelConfig: Sendable {
    /// The `model` label value; unique in the file.
    public var name: String
    /// How it is called.
    public var provider: ProviderKind
    /// The provider's model id (`gpt-4o`, `claude-3-5-sonnet-20241022`, `llama3.2:1b`).
    public var model: String
    /// Base URL of the API (for `prediction`, the full URL of the endpoint).
    public var endpoint: String?
    /// The credential, from `${ENV}` substitution or `api_key_file`.
    public var apiKey: Secret?
    /// Extra request headers (values may hold credentials and are redacted like keys).
    public var headers: [String: String]
    /// When the model is probed, and under which `operation` label; at least one.
    public var checks: [ScheduledCheck]
    /// Deadline for one call, from sending to the end of the stream (a check may override it).
    public var timeout: Duration
    /// The user's priority for this model (`high`, `medium`), exported on `llm_model_info`.
    public var priority: String
    /// The prompts sent in turn, one per scheduled run.
    public var prompts: [PromptConfig]
    /// Prices for the cost metric; no cost is recorded without them.
    public var pricing: Pricing?
    /// The latency the model is expected to stay under, exported as `llm_sla_target_seconds`.
    public var slaTarget: Double?
    /// Models tried in order when this one fails.
    public var fallbacks: [String]
    /// Azure's `api-version` query parameter.
    public var apiVersion: String?
    /// Whether to ask OpenAI-compatible servers for usage in the stream (`stream_options`).
    public var includeUsage: Bool
    /// The `model_version` label for prediction endpoints.
    public var modelVersion: String
    /// Behaviour of the simulated provider.
    public var simulation: SimulationSettings
    /// How a prediction endpoint's answer is read.
    public var prediction: PredictionSettings?
    /// The HTTP proxy the model is called through (`proxy_url`, or `proxy_from_environment`).
    public var proxy: ProxyServer? = nil

    /// Values of extra headers and the proxy's credentials, for redaction.
    var secretValues: [String] {
        Array(headers.values) + [proxy?.password?.value, proxy?.authorization?.value].compactMap { $0 }
    }
}

/// A proxy the probe calls a model through. An HTTP proxy (`http://[user:password@]host:port`)
/// gets plain `http` requests in absolute form and `https` ones through a `CONNECT` tunnel; a
/// SOCKS5 proxy (`socks5://host:port`) opens a connection to the endpoint for both. Either way
/// TLS stays end to end with the model.
public struct ProxyServer: Sendable, Hashable {
    /// How the proxy is spoken to.
    public enum Kind: Sendable, Hashable {
        /// An HTTP proxy: absolute-form requests and `CONNECT` tunnels.
        case http
        /// A SOCKS5 proxy (RFC 1928) without authentication; host names are resolved by the
        /// proxy, as Go's SOCKS5 dialer (and so Prometheus) has them resolved.
        case socks5
    }

    /// How the proxy is spoken to.
    public var kind: Kind
    /// The proxy's host name or address.
    public var host: String
    /// Its port (80 for HTTP and 1080 for SOCKS5 when the URL names none).
    public var port: Int
    /// The URL's user, for Basic `Proxy-Authorization`.
    public var user: String?
    /// The URL's password.
    public var password: Secret?

    /// A proxy at `host:port`, with credentials when `user` is set.
    public init(_ kind: Kind = .http, host: String, port: Int, user: String? = nil, password: Secret? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.user = user
        self.password = password
    }

    /// The `Proxy-Authorization` header value (Basic), when the URL has a user.
    public var authorization: Secret? {
        guard let user else { return nil }
        let pair = Array("\(user):\(password?.value ?? "")".utf8)
        return Secret("Basic " + Data(pair).base64EncodedString())
    }

    /// `host:port`, without credentials, for messages.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One schedule a model is probed on.
public struct ScheduledCheck: Sendable {
    /// The `operation` label: what kind of check this is (`probe`, `performance_checks`, ...).
    public var operation: String
    /// When it runs.
    public var schedule: Schedule
    /// The schedule as written, for logs and the debug page.
    public var scheduleText: String
    /// Deadline for each call of this check.
    public var timeout: Duration

    /// A check from parts.
    public init(operation: String, schedule: Schedule, scheduleText: String, timeout: Duration) {
        self.operation = operation
        self.schedule = schedule
        self.scheduleText = scheduleText
        self.timeout = timeout
    }
}

/// One synthetic prompt and what a right answer looks like.
public struct PromptConfig: Sendable {
    /// The `prompt` label value.
    public var name: String
    /// An optional system instruction.
    public var system: String?
    /// The user message (for `prediction`, the JSON request body).
    public var text: String
    /// Upper bound on generated tokens, which bounds the cost of every probe.
    public var maxTokens: Int
    /// What the answer must satisfy; `nil` when correctness is not checked.
    public var expect: AnswerExpectation?

    /// A prompt from parts.
    public init(name: String, system: String? = nil, text: String, maxTokens: Int, expect: AnswerExpectation? = nil) {
        self.name = name
        self.system = system
        self.text = text
        self.maxTokens = maxTokens
        self.expect = expect
    }
}

/// USD prices per million tokens.
public struct Pricing: Sendable, Equatable {
    /// Price of one million input tokens.
    public var inputPerMillion: Double
    /// Price of one million output tokens.
    public var outputPerMillion: Double

    /// The cost of one call, or `nil` when the provider reported no usage.
    public func cost(promptTokens: Int?, completionTokens: Int?) -> Double? {
        guard promptTokens != nil || completionTokens != nil else { return nil }
        return Double(promptTokens ?? 0) * inputPerMillion / 1e6 + Double(completionTokens ?? 0) * outputPerMillion / 1e6
    }
}

/// Distributions the simulated provider draws from.
public struct SimulationSettings: Sendable, Equatable {
    /// Median time to first token.
    public var timeToFirstToken: Duration = .milliseconds(300)
    /// Median time between output tokens.
    public var timePerToken: Duration = .milliseconds(20)
    /// Log-normal spread of latencies (sigma); 0 makes them exact.
    public var jitter: Double = 0.25
    /// Tokens generated per answer.
    public var outputTokens: Int = 24
    /// Fraction of calls that fail with a server error.
    public var errorRatio: Double = 0.02
    /// Fraction of calls that are rate limited.
    public var rateLimitRatio: Double = 0.01
    /// Fraction of answers that are right (when the prompt has an expectation).
    public var accuracy: Double = 0.95
    /// Latency growth per hour since start, as a fraction (0.1 = 10% slower each hour).
    public var latencyDriftPerHour: Double = 0
    /// Accuracy loss per hour since start, in absolute ratio.
    public var accuracyDriftPerHour: Double = 0
    /// A recurring outage: every `outageEvery` from the start, the model fails every call for
    /// `outageDuration` (after `outageOffset`), so demos and tests see alerts fire and resolve.
    public var outageEvery: Duration?
    /// How long each outage lasts.
    public var outageDuration: Duration = .seconds(30)
    /// When in each period the outage starts.
    public var outageOffset: Duration = .zero

    /// Defaults that look like a healthy hosted model.
    public init() {}
}

/// How a prediction endpoint's JSON answer is read.
public struct PredictionSettings: Sendable, Equatable {
    /// Dotted path to the predicted value (`prediction`, `result.label`).
    public var predictionField: String
    /// Dotted path to the confidence score, if the service returns one.
    public var confidenceField: String?
}
