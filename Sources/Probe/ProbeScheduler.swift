import Foundation
import Logging
import Synchronization

/// Runs every model's checks on their schedules until cancelled.
///
/// Each (model, check) pair runs in its own child task, so one slow or failing model never
/// delays another. Interval schedules tick on the monotonic clock from the scheduler's start;
/// calendar schedules (cron, `daily at 2:00`) wait for the next wall-clock time. A tick that
/// comes while the previous probe of the same check still runs is skipped and counted, and a
/// model that was rate limited is not called again before its `retry-after` has passed.
public struct ProbeScheduler: Sendable {
    private let prober: Prober
    private let logger: Logger
    private let gate = RateLimitGate()

    /// A scheduler over `prober`'s configuration.
    public init(prober: Prober, logger: Logger) {
        self.prober = prober
        self.logger = logger
    }

    /// Runs until the surrounding task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for model in prober.config.models {
                for check in model.checks {
                    group.addTask { await runCheck(model, check: check) }
                }
            }
        }
    }

    private func runCheck(_ model: ModelConfig, check: ScheduledCheck) async {
        logger.info("scheduling probes", metadata: ["model": "\(model.name)", "operation": "\(check.operation)", "schedule": "\(check.scheduleText)"])
        let clock = ContinuousClock()
        let start = clock.now
        var promptIndex = 0
        var tick = 0
        while !Task.isCancelled {
            if let interval = check.schedule.interval {
                let due = start + interval * tick
                if due > clock.now {
                    do { try await Task.sleep(until: due, clock: clock) } catch { return }
                }
            } else {
                let next = check.schedule.nextFire(after: Date())
                do { try await Task.sleep(for: .fromSeconds(max(0, next.timeIntervalSinceNow))) } catch { return }
            }
            if await gate.isBlocked(model.name, now: clock.now) {
                prober.metrics.recordSkip(model: model, operation: check.operation, reason: "rate_limited")
            } else {
                let prompt = model.prompts[promptIndex % model.prompts.count]
                promptIndex += 1
                let report = await prober.probe(model, check: check, prompt: prompt)
                if Task.isCancelled { return }
                if case .failure(let error) = report.attempts.first?.result, let retryAfter = error.retryAfter {
                    await gate.block(model.name, until: clock.now + retryAfter)
                }
            }
            if let interval = check.schedule.interval {
                let currentTick = Int(((clock.now - start) / interval).rounded(.down))
                for _ in 0..<max(0, currentTick - tick) {
                    prober.metrics.recordSkip(model: model, operation: check.operation, reason: "overrun")
                }
                tick = max(tick, currentTick) + 1
            }
        }
    }
}

/// Remembers until when each model asked not to be called (`retry-after`).
actor RateLimitGate {
    private var blockedUntil: [String: ContinuousClock.Instant] = [:]

    func block(_ model: String, until instant: ContinuousClock.Instant) {
        blockedUntil[model] = max(instant, blockedUntil[model] ?? instant)
    }

    func isBlocked(_ model: String, now: ContinuousClock.Instant) -> Bool {
        guard let until = blockedUntil[model] else { return false }
        if now >= until {
            blockedUntil[model] = nil
            return false
        }
        return true
    }
}
