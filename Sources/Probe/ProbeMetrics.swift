import Exposition
import Synchronization
import Foundation

/// Every metric family the probe serves, and how one probe's report is recorded into them.
///
/// Names and labels follow the user's own documents: seed 003's `llm_*` family (extended with a
/// `provider` label, and what its dashboards need) and seed 004's `model_*` family for
/// prediction endpoints. The README's metric table documents each one.
public final class ProbeMetrics: Sendable {
    /// The registry the families live in.
    public let registry: MetricRegistry

    let requests: CounterFamily
    let requestDuration: HistogramFamily
    let timeToFirstToken: HistogramFamily
    let timePerOutputToken: HistogramFamily
    let tokens: CounterFamily
    let cost: CounterFamily
    let errors: CounterFamily
    let rateLimits: CounterFamily
    let fallbacks: CounterFamily
    let modelLoadDuration: HistogramFamily
    let promptEvalDuration: HistogramFamily
    let serverTotalDuration: HistogramFamily
    let answerChecks: CounterFamily
    let answerCorrect: GaugeFamily
    let slaTarget: GaugeFamily
    let probeSuccess: GaugeFamily
    let lastRun: GaugeFamily
    let skipped: CounterFamily
    let modelInfo: GaugeFamily

    let predictionLatency: HistogramFamily
    let predictions: CounterFamily
    let predictionConfidence: HistogramFamily
    let onlineAccuracy: GaugeFamily
    let predictionErrors: CounterFamily
    private let accuracyWindows: AccuracyWindows

    /// The `model_prediction_latency_seconds` buckets seed 004 defines.
    public static let predictionLatencyBuckets: [Double] = [0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0]
    /// The `model_prediction_confidence` buckets seed 004 defines.
    public static let confidenceBuckets: [Double] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]

    /// Creates the families in `registry` with the buckets `config` asks for, and sets the
    /// per-model series that exist before the first probe (SLA targets, info, zeroed error counters).
    public init(registry: MetricRegistry, config: ProbeConfig) {
        self.registry = registry
        let llm = ["model", "provider", "operation"]
        requests = registry.counter(name: "llm_request_total", help: "Requests sent to a model by the probe, successful or not.", labelNames: llm)
        requestDuration = registry.histogram(
            name: "llm_request_duration_seconds", help: "Time from sending a request to the end of a successful response.",
            labelNames: llm, buckets: config.latencyBuckets)
        timeToFirstToken = registry.histogram(
            name: "llm_time_to_first_token_seconds", help: "Time from sending a request to the first content token of the stream.",
            labelNames: llm, buckets: config.latencyBuckets)
        timePerOutputToken = registry.histogram(
            name: "llm_time_per_output_token_seconds", help: "Mean time between output tokens after the first, per response.",
            labelNames: llm, buckets: config.tokenLatencyBuckets)
        tokens = registry.counter(
            name: "llm_tokens_total", help: "Tokens used, as the provider's usage fields report them; type is prompt or completion.",
            labelNames: ["model", "provider", "type"])
        cost = registry.counter(
            name: "llm_cost_usd_total", help: "Cost of the probe's requests in US dollars, from the configured price table.",
            labelNames: ["model", "provider"])
        errors = registry.counter(
            name: "llm_error_total", help: "Failed requests by error class (timeout, connection, rate_limit, auth, bad_request, server_error, invalid_response).",
            labelNames: llm + ["type"])
        rateLimits = registry.counter(
            name: "llm_rate_limit_exceeded_total", help: "Requests refused by the provider's rate limit (HTTP 429 or a rate-limit error event).",
            labelNames: ["model", "provider"])
        fallbacks = registry.counter(
            name: "llm_fallback_total", help: "Times a fallback model answered because the primary model failed.",
            labelNames: ["model", "fallback"])
        modelLoadDuration = registry.histogram(
            name: "llm_model_load_duration_seconds", help: "Model load time reported by the server (Ollama load_duration).",
            labelNames: ["model", "provider"], buckets: config.latencyBuckets)
        promptEvalDuration = registry.histogram(
            name: "llm_prompt_eval_duration_seconds",
            help: "Prompt evaluation time reported by the server (Ollama prompt_eval_duration, llama.cpp timings.prompt_ms).",
            labelNames: ["model", "provider"], buckets: config.tokenLatencyBuckets + config.latencyBuckets.filter { $0 > 1 })
        serverTotalDuration = registry.histogram(
            name: "llm_total_duration_seconds", help: "Total processing time reported by the server (Ollama total_duration).",
            labelNames: ["model", "provider"], buckets: config.latencyBuckets)
        answerChecks = registry.counter(
            name: "llm_answer_checks_total", help: "Answers checked against the prompt's expectation; result is correct or incorrect.",
            labelNames: ["model", "provider", "prompt", "result"])
        answerCorrect = registry.gauge(
            name: "llm_answer_correct", help: "Whether the last checked answer to the prompt was right (1) or wrong (0).",
            labelNames: ["model", "provider", "prompt"])
        slaTarget = registry.gauge(
            name: "llm_sla_target_seconds", help: "The latency target configured for the model (sla_target).",
            labelNames: ["model", "provider"])
        probeSuccess = registry.gauge(
            name: "llm_probe_success", help: "Whether the last probe of the model succeeded (1) or failed (0), fallbacks not counted.",
            labelNames: llm)
        lastRun = registry.gauge(
            name: "llm_probe_last_run_timestamp_seconds", help: "Unix time the last probe of the model finished.", labelNames: llm)
        skipped = registry.counter(
            name: "llm_probe_skipped_total",
            help: "Scheduled probes not sent; reason is rate_limited (waiting out retry-after) or overrun (the previous probe was still running).",
            labelNames: llm + ["reason"])
        modelInfo = registry.gauge(
            name: "llm_model_info", help: "Configured models: the provider's model id, the user's priority and the schedule; always 1.",
            labelNames: ["model", "provider", "api_model", "priority"])

        let prediction = ["model_name", "model_version"]
        predictionLatency = registry.histogram(
            name: "model_prediction_latency_seconds", help: "Time spent processing prediction request",
            labelNames: prediction, buckets: Self.predictionLatencyBuckets)
        predictions = registry.counter(
            name: "model_predictions_total", help: "Total number of predictions", labelNames: prediction + ["status"])
        predictionConfidence = registry.histogram(
            name: "model_prediction_confidence", help: "Confidence score of predictions",
            labelNames: prediction, buckets: Self.confidenceBuckets)
        onlineAccuracy = registry.gauge(
            name: "model_online_accuracy", help: "Real-time model accuracy over the last 100 checked predictions",
            labelNames: prediction)
        predictionErrors = registry.counter(
            name: "model_errors_total", help: "Total number of errors", labelNames: ["model_name", "error_type"])
        accuracyWindows = AccuracyWindows(size: 100)

        for model in config.models {
            initialize(model)
        }
    }

    /// Takes a reloaded configuration on: series for new models are created, info and SLA
    /// series of removed models are dropped. Counters of kept models carry on.
    public func adopt(_ config: ProbeConfig) {
        let kept = Set(config.models.map(\.name))
        for child in modelInfo.children where !kept.contains(child.labelValues[0]) {
            let values = child.labelValues
            _ = modelInfo.remove(values[0], values[1], values[2], values[3])
        }
        for child in slaTarget.children where !kept.contains(child.labelValues[0]) {
            _ = slaTarget.remove(child.labelValues[0], child.labelValues[1])
        }
        for model in config.models { initialize(model) }
    }

    private func initialize(_ model: ModelConfig) {
        let provider = model.provider.rawValue
        modelInfo.labels(model.name, provider, model.model, model.priority).set(1)
        if let sla = model.slaTarget { slaTarget.labels(model.name, provider).set(sla) }
        if model.provider == .prediction {
            for status in ["success", "error"] { _ = predictions.labels(model.name, model.modelVersion, status) }
            for errorClass in ErrorClass.allCases { _ = predictionErrors.labels(model.name, errorClass.rawValue) }
            return
        }
        for check in model.checks {
            _ = requests.labels(model.name, provider, check.operation)
            for errorClass in ErrorClass.allCases { _ = errors.labels(model.name, provider, check.operation, errorClass.rawValue) }
        }
        _ = rateLimits.labels(model.name, provider)
        for fallback in model.fallbacks { _ = fallbacks.labels(model.name, fallback) }
    }

    /// Records one call of one model (a primary or a fallback attempt).
    public func record(_ attempt: ProbeAttempt, operation: String, at time: Date = Date()) {
        let model = attempt.model
        if model.provider == .prediction {
            recordPrediction(attempt)
        } else {
            recordCompletion(attempt, operation: operation)
        }
        lastRun.labels(model.name, model.provider.rawValue, operation).set(time.timeIntervalSince1970)
    }

    /// Records that a fallback answered for `primary`.
    public func recordFallback(primary: String, fallback: String) {
        fallbacks.labels(primary, fallback).inc()
    }

    /// Records a scheduled probe that was not sent.
    public func recordSkip(model: ModelConfig, operation: String, reason: String) {
        skipped.labels(model.name, model.provider.rawValue, operation, reason).inc()
    }

    private func recordCompletion(_ attempt: ProbeAttempt, operation: String) {
        let model = attempt.model
        let provider = model.provider.rawValue
        requests.labels(model.name, provider, operation).inc()
        switch attempt.result {
        case .failure(let error):
            errors.labels(model.name, provider, operation, error.errorClass.rawValue).inc()
            if error.errorClass == .rateLimit { rateLimits.labels(model.name, provider).inc() }
            probeSuccess.labels(model.name, provider, operation).set(0)
        case .success(let outcome):
            probeSuccess.labels(model.name, provider, operation).set(1)
            requestDuration.labels(model.name, provider, operation).observe(outcome.totalDuration.seconds)
            if let ttft = outcome.timeToFirstToken {
                timeToFirstToken.labels(model.name, provider, operation).observe(ttft.seconds)
            }
            if let tpot = outcome.timePerOutputToken {
                timePerOutputToken.labels(model.name, provider, operation).observe(tpot.seconds)
            }
            if let prompt = outcome.promptTokens { tokens.labels(model.name, provider, "prompt").inc(Double(prompt)) }
            if let completion = outcome.completionTokens { tokens.labels(model.name, provider, "completion").inc(Double(completion)) }
            if let dollars = model.pricing?.cost(promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens) {
                cost.labels(model.name, provider).inc(dollars)
            }
            if let load = outcome.modelLoadDuration { modelLoadDuration.labels(model.name, provider).observe(load.seconds) }
            if let eval = outcome.promptEvalDuration { promptEvalDuration.labels(model.name, provider).observe(eval.seconds) }
            if let total = outcome.serverTotalDuration { serverTotalDuration.labels(model.name, provider).observe(total.seconds) }
            if let correct = attempt.correct {
                answerChecks.labels(model.name, provider, attempt.prompt.name, correct ? "correct" : "incorrect").inc()
                answerCorrect.labels(model.name, provider, attempt.prompt.name).set(correct ? 1 : 0)
            }
        }
    }

    private func recordPrediction(_ attempt: ProbeAttempt) {
        let model = attempt.model
        let provider = model.provider.rawValue
        switch attempt.result {
        case .failure(let error):
            predictions.labels(model.name, model.modelVersion, "error").inc()
            predictionErrors.labels(model.name, error.errorClass.rawValue).inc()
            probeSuccess.labels(model.name, provider, attempt.operation).set(0)
        case .success(let outcome):
            predictions.labels(model.name, model.modelVersion, "success").inc()
            predictionLatency.labels(model.name, model.modelVersion).observe(outcome.totalDuration.seconds)
            if let confidence = outcome.confidence {
                predictionConfidence.labels(model.name, model.modelVersion).observe(confidence)
            }
            probeSuccess.labels(model.name, provider, attempt.operation).set(1)
            if let correct = attempt.correct {
                let accuracy = accuracyWindows.add(correct, for: model.name)
                onlineAccuracy.labels(model.name, model.modelVersion).set(accuracy)
            }
        }
    }
}

/// The last N correctness checks per model, for `model_online_accuracy`.
final class AccuracyWindows: Sendable {
    private let size: Int
    private let windows = Mutex<[String: [Bool]]>([:])

    init(size: Int) { self.size = size }

    /// Adds a check and returns the fraction correct in the model's window.
    func add(_ correct: Bool, for model: String) -> Double {
        windows.withLock { windows in
            var window = windows[model, default: []]
            window.append(correct)
            if window.count > size { window.removeFirst(window.count - size) }
            windows[model] = window
            return Double(window.filter { $0 }.count) / Double(window.count)
        }
    }
}
