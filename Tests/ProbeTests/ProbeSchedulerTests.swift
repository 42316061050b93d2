import Exposition
import Foundation
import Logging
import Testing

@testable import Probe

/// The scheduler's promises: one slow model never delays another, a tick that comes while the
/// previous probe still runs is skipped and counted, and a rate-limited model is not called
/// again before its `retry-after` has passed.
///
/// Each test waits for a condition under a generous deadline and then checks bounds that hold
/// however loaded the machine is (the test suite runs on two cores beside CPU-heavy tests).
struct ProbeSchedulerTests {
    /// Runs the scheduler over `yaml` until `done` holds for its metrics or `deadline` passes.
    static func schedule(
        _ yaml: String, deadline: Duration = .seconds(20), until done: @escaping (ProbeMetrics) -> Bool
    ) async throws -> ProbeMetrics {
        let config = try ProbeConfigLoader(environment: [:]).parse(yaml, file: "scheduler.yml")
        let metrics = ProbeMetrics(registry: MetricRegistry(), config: config)
        let client = ProbeHTTPClient()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let prober = Prober(config: config, metrics: metrics, client: client, logger: logger)
        let scheduler = Task { await ProbeScheduler(prober: prober, logger: logger).run() }
        let end = ContinuousClock.now + deadline
        while !done(metrics), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(10))
        }
        scheduler.cancel()
        _ = await scheduler.value
        await client.shutdown()
        return metrics
    }

    @Test func aSlowModelDoesNotDelayAnother() async throws {
        let yaml = """
            models:
              - name: slow
                provider: simulated
                schedule: 100ms
                timeout: 120s
                simulation: {time_to_first_token: 60s, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
              - name: fast
                provider: simulated
                schedule: 100ms
                simulation: {time_to_first_token: 1ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
            """
        let metrics = try await Self.schedule(yaml) { $0.requests.labels("fast", "simulated", "probe").value >= 8 }
        let fast = metrics.requests.labels("fast", "simulated", "probe").value
        let slow = metrics.requests.labels("slow", "simulated", "probe").value
        let overruns = metrics.skipped.labels("slow", "simulated", "probe", "overrun").value
        #expect(fast >= 8, "the fast model kept its schedule while the slow one was busy (\(fast) requests)")
        #expect(slow == 0, "the slow model's first probe (60 s) was still running (\(slow) finished)")
        #expect(overruns == 0, "skips are counted when the running probe ends, not before")
    }

    @Test func aRateLimitedModelWaitsForRetryAfter() async throws {
        let yaml = """
            models:
              - name: limited
                provider: simulated
                schedule: 100ms
                simulation: {time_to_first_token: 1ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 1}
            """
        let finishedAt = LastRunRecorder()
        let metrics = try await Self.schedule(yaml) { metrics in
            finishedAt.note(metrics)
            return metrics.requests.labels("limited", "simulated", "probe").value >= 2
        }
        let requests = metrics.requests.labels("limited", "simulated", "probe").value
        let skips = metrics.skipped.labels("limited", "simulated", "probe", "rate_limited").value
        #expect(requests == 2, "two calls before the deadline (got \(requests))")
        let gaps = finishedAt.gaps
        #expect(gaps.count == 1)
        // The simulated 429 carries `retry-after: 1`; the second call is sent no sooner.
        #expect(gaps.allSatisfy { $0 >= 0.99 }, "calls \(gaps) s apart; retry-after was 1 s")
        #expect(skips >= 1, "ticks inside retry-after are skipped and counted (\(skips))")
        #expect(metrics.rateLimits.labels("limited", "simulated").value == requests)
        #expect(metrics.errors.labels("limited", "simulated", "probe", "rate_limit").value == requests)
    }

    @Test func overrunTicksAreSkippedAndCounted() async throws {
        let yaml = """
            models:
              - name: slow
                provider: simulated
                schedule: 100ms
                simulation: {time_to_first_token: 350ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
            """
        let metrics = try await Self.schedule(yaml) { $0.requests.labels("slow", "simulated", "probe").value >= 3 }
        let requests = metrics.requests.labels("slow", "simulated", "probe").value
        let overruns = metrics.skipped.labels("slow", "simulated", "probe", "overrun").value
        #expect(requests >= 3)
        // A probe of at least 350 ms that starts on a 100 ms tick ends after the next three.
        #expect(overruns >= 3 * requests, "\(requests) probes of 350 ms on a 100 ms schedule skipped \(overruns) ticks")
    }
}

/// Collects each new `llm_probe_last_run_timestamp_seconds` of the model `limited`.
final class LastRunRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [Double] = []

    func note(_ metrics: ProbeMetrics) {
        let time = metrics.lastRun.labels("limited", "simulated", "probe").value
        lock.withLock {
            if time > 0, time != times.last { times.append(time) }
        }
    }

    /// Seconds between consecutive probes.
    var gaps: [Double] {
        lock.withLock { zip(times.dropFirst(), times).map { $0 - $1 } }
    }
}
