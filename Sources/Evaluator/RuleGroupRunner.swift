import Foundation
import Series

/// Runs one rule group on its schedule until the task is cancelled: waits for the group's next
/// slot, evaluates, and skips missed slots when an evaluation overran.
public struct RuleGroupRunner: Sendable {
    /// What one scheduled evaluation did.
    public struct Report: Sendable {
        /// The evaluation time, milliseconds since the epoch.
        public var time: Int64
        /// Each rule's outcome.
        public var results: [RuleEvaluation]
        /// The evaluator after the evaluation (alert state).
        public var evaluator: RuleGroupEvaluator
        /// Slots skipped before this evaluation because the previous one overran.
        public var missed: Int64
        /// How long the evaluation took.
        public var duration: Duration
    }

    /// Called after each evaluation.
    public typealias Observer = @Sendable (Report) async -> Void

    /// The evaluator and its state.
    public private(set) var evaluator: RuleGroupEvaluator
    /// The schedule.
    public let schedule: RuleGroupSchedule

    /// Creates a runner; `defaultInterval` (milliseconds) applies when the group sets none.
    public init(evaluator: RuleGroupEvaluator, defaultInterval: Int64) {
        self.evaluator = evaluator
        schedule = RuleGroupSchedule(
            file: evaluator.group.file, name: evaluator.group.name,
            interval: evaluator.group.interval ?? defaultInterval)
    }

    private static func nowNanoseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1e9)
    }

    private static func sleep(until target: Int64) async throws {
        let delay = target - nowNanoseconds()
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay)) }
    }

    /// Evaluates at every slot until cancelled. When the evaluator is not yet `restored` and
    /// `restoreFrom` is given, alert `for` state is restored from it after the second
    /// evaluation, as Prometheus does after a start (the first may lack fresh data).
    public mutating func run(
        engine: any QueryEngine, appender: any SampleAppender, restoreFrom: (any SeriesSource)? = nil,
        outageTolerance: Int64 = 3_600_000, gracePeriod: Int64 = 600_000, observer: Observer? = nil
    ) async {
        var slot = schedule.firstEvaluation(startingAt: Self.nowNanoseconds())
        var missed: Int64 = 0
        var evaluations = 0
        while !Task.isCancelled {
            do {
                try await Self.sleep(until: slot)
            } catch {
                return
            }
            let time = slot / 1_000_000
            let started = ContinuousClock.now
            let results = await evaluator.evaluate(at: time, engine: engine, appender: appender)
            evaluations += 1
            if !evaluator.restored, evaluations >= 2 {
                if let restoreFrom {
                    evaluator.restoreForState(
                        from: restoreFrom, at: Self.nowNanoseconds() / 1_000_000, outageTolerance: outageTolerance,
                        gracePeriod: gracePeriod)
                } else {
                    evaluator.restored = true
                }
            }
            let report = Report(
                time: time, results: results, evaluator: evaluator, missed: missed,
                duration: ContinuousClock.now - started)
            await observer?(report)
            // The ticker's next tick: the first slot boundary not yet passed.
            let step = schedule.interval * 1_000_000
            let elapsed = max(Self.nowNanoseconds() - slot, 0)
            let tick = slot + max((elapsed + step - 1) / step, 1) * step
            (slot, missed) = schedule.next(after: slot, now: tick)
        }
    }
}
