import Exposition
import Foundation
import Logging
import Probe

/// One probe run for `/probe`, recorded into a registry of its own so that the answer holds
/// this probe's metrics alone, plus blackbox_exporter's `probe_success` and
/// `probe_duration_seconds`.
struct OnDemandProbe {
    let config: ProbeConfig
    let model: ModelConfig
    let client: ProbeHTTPClient
    let logger: Logger

    struct Result {
        var registry: MetricRegistry
        var debugText: String
    }

    func run(prompt: PromptConfig, timeout: Duration) async -> Result {
        let involved = [model] + model.fallbacks.compactMap(config.model(named:))
        var scoped = config
        scoped.models = involved
        let registry = MetricRegistry()
        let metrics = ProbeMetrics(registry: registry, config: scoped)
        let prober = Prober(config: scoped, metrics: metrics, client: client, logger: logger)
        let check = ScheduledCheck(operation: "probe", schedule: model.checks[0].schedule,
                                   scheduleText: "on demand", timeout: timeout)
        let start = ContinuousClock.now
        let report = await prober.probe(model, check: check, prompt: prompt)
        let elapsed = ContinuousClock.now - start
        registry.gauge(name: "probe_success", help: "Whether the probe (or a fallback) succeeded.").labels().set(report.succeeded ? 1 : 0)
        registry.gauge(name: "probe_duration_seconds", help: "How long the probe took to complete in seconds.").labels().set(elapsed.seconds)
        return Result(registry: registry, debugText: debugText(report, prober: prober, registry: registry, elapsed: elapsed))
    }

    private func debugText(_ report: ProbeReport, prober: Prober, registry: MetricRegistry, elapsed: Duration) -> String {
        var lines: [String] = []
        for attempt in report.attempts {
            lines.append("Model \(attempt.model.name) (provider \(attempt.model.provider.rawValue)), prompt \(attempt.prompt.name)")
            if let provider = prober.provider(for: attempt.model) {
                lines.append("Request:")
                lines.append(provider.describeRequest(attempt.prompt))
            }
            switch attempt.result {
            case .success(let outcome):
                lines.append("Outcome: success in \(outcome.totalDuration.seconds)s")
                if let ttft = outcome.timeToFirstToken { lines.append("  time to first token: \(ttft.seconds)s") }
                if let tpot = outcome.timePerOutputToken { lines.append("  time per output token: \(tpot.seconds)s") }
                lines.append("  tokens: prompt \(outcome.promptTokens.map(String.init) ?? "not reported"), completion \(outcome.completionTokens.map(String.init) ?? "not reported")")
                if let correct = attempt.correct { lines.append("  answer correct: \(correct)") }
                lines.append("  answer: \(prober.redactor.redact(outcome.text))")
            case .failure(let error):
                lines.append("Outcome: \(prober.redactor.redact(error.description))")
            }
            lines.append("")
        }
        lines.append("Probe \(report.succeeded ? "succeeded" : "failed") in \(elapsed.seconds)s")
        lines.append("")
        lines.append("Metrics that would be returned:")
        lines.append(String(decoding: registry.render(.text004), as: UTF8.self))
        return lines.joined(separator: "\n")
    }
}
