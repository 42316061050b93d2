import Foundation
import Logging

/// One call of one model: what was asked, what came back, and whether it was right.
public struct ProbeAttempt: Sendable {
    /// The model called (the primary or a fallback).
    public var model: ModelConfig
    /// The `operation` label of the check that caused it.
    public var operation: String
    /// The prompt sent.
    public var prompt: PromptConfig
    /// The measured outcome, or why it failed.
    public var result: Result<ProbeOutcome, ProbeError>
    /// Whether the answer met the prompt's expectation; `nil` when not checked or failed.
    public var correct: Bool?
}

/// A whole probe: the primary attempt and any fallbacks tried after it.
public struct ProbeReport: Sendable {
    /// Attempts in order; the first is the primary model.
    public var attempts: [ProbeAttempt]
    /// Whether the primary, or failing that a fallback, answered.
    public var succeeded: Bool { attempts.contains { if case .success = $0.result { true } else { false } } }
}

/// Runs probes: calls a model's provider under the check's deadline, checks the answer,
/// tries fallbacks in order when the primary fails, and records everything into
/// ``ProbeMetrics``.
public struct Prober: Sendable {
    /// The configuration the probes come from.
    public let config: ProbeConfig
    /// Where results are recorded.
    public let metrics: ProbeMetrics
    private let providers: [String: any ModelProvider]
    private let logger: Logger
    /// Redacts credentials from messages before they are logged.
    public let redactor: SecretRedactor

    /// A prober for `config`, calling over `client`.
    public init(config: ProbeConfig, metrics: ProbeMetrics, client: ProbeHTTPClient, logger: Logger) {
        self.config = config
        self.metrics = metrics
        self.logger = logger
        let redactor = SecretRedactor(secrets: config.secrets)
        self.redactor = redactor
        let transport = HTTPTransport(client: client)
        var providers: [String: any ModelProvider] = [:]
        for model in config.models {
            providers[model.name] = ProviderFactory.make(for: model, transport: transport, redactor: redactor)
        }
        self.providers = providers
    }

    /// The provider that calls `model`.
    public func provider(for model: ModelConfig) -> (any ModelProvider)? {
        providers[model.name]
    }

    /// Probes `model` with `prompt` for `check`, with fallbacks, and records the result.
    public func probe(_ model: ModelConfig, check: ScheduledCheck, prompt: PromptConfig) async -> ProbeReport {
        var report = ProbeReport(attempts: [])
        let primary = await attempt(model, operation: check.operation, prompt: prompt, timeout: check.timeout)
        report.attempts.append(primary)
        guard case .failure = primary.result else { return report }
        for name in model.fallbacks {
            guard let fallback = config.model(named: name) else { continue }
            let next = await attempt(fallback, operation: check.operation, prompt: prompt, timeout: check.timeout)
            report.attempts.append(next)
            if case .success = next.result {
                metrics.recordFallback(primary: model.name, fallback: fallback.name)
                logger.info("fallback answered", metadata: ["model": "\(model.name)", "fallback": "\(fallback.name)"])
                break
            }
        }
        return report
    }

    /// One call of one model under `timeout`, recorded into the metrics (unless the calling
    /// task was cancelled, which is shutdown or reload, not a failure of the model).
    public func attempt(_ model: ModelConfig, operation: String, prompt: PromptConfig, timeout: Duration) async -> ProbeAttempt {
        var attempt = ProbeAttempt(model: model, operation: operation, prompt: prompt, result: .failure(ProbeError(.connection, "no provider")))
        if let provider = providers[model.name] {
            attempt.result = await Self.call(provider, prompt: prompt, timeout: timeout)
        }
        if case .success(let outcome) = attempt.result, let expectation = prompt.expect {
            attempt.correct = expectation.isSatisfied(by: outcome.text)
        }
        // A probe cut short by shutdown or reload says nothing about the model: not recorded.
        if Task.isCancelled { return attempt }
        metrics.record(attempt, operation: operation)
        log(attempt)
        return attempt
    }

    /// The call under its deadline, which the provider enforces (an HTTP provider on the
    /// connection's event loop, so no timer task runs beside the call).
    static func call(_ provider: any ModelProvider, prompt: PromptConfig, timeout: Duration) async -> Result<ProbeOutcome, ProbeError> {
        do throws(ProbeError) {
            return .success(try await provider.call(prompt, timeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    private func log(_ attempt: ProbeAttempt) {
        // A success is logged at debug, below the usual level: its metadata is not built for nothing.
        if case .success = attempt.result, logger.logLevel > .debug { return }
        let metadata: Logger.Metadata = [
            "model": "\(attempt.model.name)", "provider": "\(attempt.model.provider.rawValue)",
            "operation": "\(attempt.operation)", "prompt": "\(attempt.prompt.name)",
        ]
        switch attempt.result {
        case .success(let outcome):
            var details = metadata
            details["duration_seconds"] = "\(outcome.totalDuration.seconds)"
            if let ttft = outcome.timeToFirstToken { details["ttft_seconds"] = "\(ttft.seconds)" }
            if let correct = attempt.correct { details["correct"] = "\(correct)" }
            logger.debug("probe succeeded", metadata: details)
        case .failure(let error):
            var details = metadata
            details["type"] = "\(error.errorClass.rawValue)"
            details["err"] = "\(redactor.redact(error.message))"
            logger.warning("probe failed", metadata: details)
        }
    }
}
