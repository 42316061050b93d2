import AsyncHTTPClient
import Exposition
import Foundation
import Logging
import Testing

@testable import Probe

/// The scheduler's promises: one slow model never delays another, a tick that comes while the
/// previous probe still runs is skipped and counted, and a rate-limited model is not called
/// again before its `retry-after` has passed.
struct ProbeSchedulerTests {
    static let yaml = """
        models:
          - name: slow
            provider: simulated
            schedule: 100ms
            timeout: 10s
            simulation: {time_to_first_token: 1500ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
          - name: fast
            provider: simulated
            schedule: 100ms
            simulation: {time_to_first_token: 1ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
          - name: limited
            provider: simulated
            schedule: 100ms
            simulation: {time_to_first_token: 1ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 1}
        """

    @Test func slowModelsDoNotDelayOthersAndRateLimitsAreHonoured() async throws {
        let config = try ProbeConfigLoader(environment: [:]).parse(Self.yaml, file: "scheduler.yml")
        let registry = MetricRegistry()
        let metrics = ProbeMetrics(registry: registry, config: config)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let prober = Prober(config: config, metrics: metrics, client: client, logger: logger)
        let scheduler = Task { await ProbeScheduler(prober: prober, logger: logger).run() }
        try await Task.sleep(for: .milliseconds(1200))
        scheduler.cancel()
        _ = await scheduler.value
        try await client.shutdown()

        let fast = metrics.requests.labels("fast", "simulated", "probe").value
        let slow = metrics.requests.labels("slow", "simulated", "probe").value
        let overruns = metrics.skipped.labels("slow", "simulated", "probe", "overrun").value
        #expect(fast >= 8, "the fast model kept its 100ms schedule while the slow one was busy (\(fast) requests)")
        #expect(slow == 0, "the slow model's first probe was still running (\(slow) finished)")
        #expect(overruns == 0, "skips are counted when the running probe ends, not before")

        let limited = metrics.requests.labels("limited", "simulated", "probe").value
        let rateLimitedSkips = metrics.skipped.labels("limited", "simulated", "probe", "rate_limited").value
        #expect(limited == 2, "429 with retry-after 1s: one call at 0s, the next after 1s (got \(limited))")
        #expect(rateLimitedSkips >= 7, "ticks inside retry-after are skipped and counted (\(rateLimitedSkips))")
        #expect(metrics.rateLimits.labels("limited", "simulated").value == limited)
        #expect(metrics.errors.labels("limited", "simulated", "probe", "rate_limit").value == limited)
    }

    @Test func overrunTicksAreSkippedAndCounted() async throws {
        let yaml = """
            models:
              - name: slow
                provider: simulated
                schedule: 100ms
                simulation: {time_to_first_token: 350ms, time_per_token: 1ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 0}
            """
        let config = try ProbeConfigLoader(environment: [:]).parse(yaml, file: "overrun.yml")
        let metrics = ProbeMetrics(registry: MetricRegistry(), config: config)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let prober = Prober(config: config, metrics: metrics, client: client, logger: logger)
        let scheduler = Task { await ProbeScheduler(prober: prober, logger: logger).run() }
        try await Task.sleep(for: .milliseconds(1000))
        scheduler.cancel()
        _ = await scheduler.value
        try await client.shutdown()
        let requests = metrics.requests.labels("slow", "simulated", "probe").value
        let overruns = metrics.skipped.labels("slow", "simulated", "probe", "overrun").value
        #expect((2...3).contains(requests), "350ms probes on a 100ms schedule: probes at 0, 400, 800ms (\(requests))")
        #expect(overruns >= 5, "the ticks at 100, 200, 300, 500, 600, 700ms were skipped (\(overruns))")
    }
}
