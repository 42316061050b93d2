import Foundation

/// A model that is not there: latencies, errors, rate limits, accuracy and drift are drawn from
/// ``SimulationSettings``. It lets the embedded default run with no keys and no network, and
/// every series it feeds carries `provider="simulated"`.
struct SimulatedProvider: ModelProvider {
    let model: ModelConfig
    /// Drift is measured from here.
    let start = ContinuousClock.now

    func describeRequest(_ prompt: PromptConfig) -> String {
        "SIMULATED \(model.name) (no network): \(prompt.text)"
    }

    func call(_ prompt: PromptConfig, timeout: Duration) async throws(ProbeError) -> ProbeOutcome {
        let settings = model.simulation
        var random = SystemRandomNumberGenerator()
        let hours = (ContinuousClock.now - start).seconds / 3600
        let slowdown = 1 + settings.latencyDriftPerHour * hours
        let began = ContinuousClock.now
        let deadline = began + timeout
        let ttft = Self.logNormal(median: settings.timeToFirstToken.seconds * slowdown, sigma: settings.jitter, using: &random)
        try await Self.sleep(seconds: ttft, until: deadline, timeout: timeout)
        if let every = settings.outageEvery, Self.inOutage(since: ContinuousClock.now - start, every: every, settings) {
            throw ProbeError(.serverError, "simulated outage", httpStatus: 503)
        }
        let draw = Double.random(in: 0..<1, using: &random)
        if draw < settings.rateLimitRatio {
            throw ProbeError(.rateLimit, "simulated rate limit", httpStatus: 429, retryAfter: .seconds(1))
        }
        if draw < settings.rateLimitRatio + settings.errorRatio {
            throw ProbeError(.serverError, "simulated server error", httpStatus: 500)
        }
        var outcome = ProbeOutcome()
        outcome.timeToFirstToken = ContinuousClock.now - began
        let accuracy = max(0, settings.accuracy - settings.accuracyDriftPerHour * hours)
        let right = Double.random(in: 0..<1, using: &random) < accuracy
        let answer = Self.answer(for: prompt.expect, right: right)
        let tokens = max(1, min(settings.outputTokens, prompt.maxTokens > 0 ? prompt.maxTokens : settings.outputTokens))
        let perToken = Self.logNormal(median: settings.timePerToken.seconds * slowdown, sigma: settings.jitter, using: &random)
        try await Self.sleep(seconds: perToken * Double(tokens - 1), until: deadline, timeout: timeout)
        outcome.text = answer
        outcome.contentChunks = tokens
        outcome.promptTokens = max(1, prompt.text.utf8.count / 4)
        outcome.completionTokens = tokens
        outcome.totalDuration = ContinuousClock.now - began
        return outcome
    }

    /// Whether `elapsed` since the start falls in one of the recurring outages.
    static func inOutage(since elapsed: Duration, every: Duration, _ settings: SimulationSettings) -> Bool {
        let period = every.seconds
        guard period > 0 else { return false }
        let phase = elapsed.seconds.truncatingRemainder(dividingBy: period)
        return phase >= settings.outageOffset.seconds && phase < settings.outageOffset.seconds + settings.outageDuration.seconds
    }

    /// An answer that satisfies (or, when `right` is false, misses) the expectation.
    static func answer(for expectation: AnswerExpectation?, right: Bool) -> String {
        guard right else { return "I am not sure." }
        switch expectation {
        case .exact(let text, _)?: return text
        case .contains(let text, _)?: return "The answer is \(text)."
        case .jsonField(let path, let value)?:
            return path.split(separator: ".").reversed().reduce("\"\(value)\"") { inner, key in "{\"\(key)\": \(inner)}" }
        case .regex?, nil: return "This is a simulated answer."
        }
    }

    /// A log-normal draw with the given median; `sigma` 0 returns the median.
    static func logNormal(median: Double, sigma: Double, using random: inout some RandomNumberGenerator) -> Double {
        guard sigma > 0, median > 0 else { return max(0, median) }
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let u2 = Double.random(in: 0..<1, using: &random)
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return median * exp(sigma * normal)
    }

    /// Sleeps `seconds`, or until `deadline` and then fails as the call's timeout.
    private static func sleep(seconds: Double, until deadline: ContinuousClock.Instant, timeout: Duration) async throws(ProbeError) {
        guard seconds > 0 else { return }
        let wake = ContinuousClock.now + .fromSeconds(seconds)
        do {
            try await Task.sleep(until: min(wake, deadline))
        } catch {
            throw ProbeError(.timeout, "cancelled")
        }
        if wake > deadline { throw ProbeError.deadlineExceeded(timeout) }
    }
}
