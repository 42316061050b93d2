/// What one model call produced, measured on a monotonic clock.
///
/// Providers fill the fields their wire format carries; the rest stay `nil` and the matching
/// metrics are simply not observed for that call (never recorded as zero).
public struct ProbeOutcome: Sendable, Equatable {
    /// The answer text, concatenated from the stream.
    public var text: String = ""
    /// From sending the request to the first non-empty content token.
    public var timeToFirstToken: Duration?
    /// From sending the request to the end of the response.
    public var totalDuration: Duration = .zero
    /// Number of content chunks received; used for time per output token when the provider
    /// reports no usage.
    public var contentChunks: Int = 0
    /// Input tokens, as the provider's usage field reports them.
    public var promptTokens: Int?
    /// Output tokens, as the provider's usage field reports them.
    public var completionTokens: Int?
    /// Server-side model load time (Ollama `load_duration`).
    public var modelLoadDuration: Duration?
    /// Server-side prompt evaluation time (Ollama `prompt_eval_duration`, llama.cpp `timings.prompt_ms`).
    public var promptEvalDuration: Duration?
    /// Server-side total time (Ollama `total_duration`).
    public var serverTotalDuration: Duration?
    /// For prediction endpoints: the model's confidence in its answer, 0...1.
    public var confidence: Double?

    /// An empty outcome, to be filled while a response streams in.
    public init() {}

    /// Time per output token after the first: `(total - ttft) / (tokens - 1)`, the usual TPOT.
    /// Uses the provider's completion token count, else the number of content chunks.
    public var timePerOutputToken: Duration? {
        guard let ttft = timeToFirstToken else { return nil }
        let tokens = completionTokens ?? contentChunks
        guard tokens > 1 else { return nil }
        return (totalDuration - ttft) / (tokens - 1)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`, the unit of every `_seconds` metric.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }

    /// A duration from fractional seconds.
    public static func fromSeconds(_ value: Double) -> Duration {
        .nanoseconds(Int64((value * 1e9).rounded()))
    }
}
