import Series
/// When a rule group is evaluated, as Prometheus schedules it: on its interval, shifted by an
/// offset derived from the group's file and name (so groups do not all run at once), skipping
/// ticks that were missed instead of running them late.
public struct RuleGroupSchedule: Sendable, Equatable {
    /// The evaluation interval in milliseconds.
    public let interval: Int64
    /// The group's offset within the interval, in nanoseconds (Prometheus's resolution).
    public let offsetNanoseconds: Int64

    /// The schedule of group `name` from `file` evaluated every `interval` milliseconds.
    public init(file: String, name: String, interval: Int64) {
        self.interval = interval
        let hash = XXHash64.labelsHash([("file", file), ("name", name)])
        let intervalNanoseconds = UInt64(max(interval, 1)) &* 1_000_000
        offsetNanoseconds = Int64(hash % intervalNanoseconds)
    }

    /// Prometheus's `Group.EvalTimestamp`: the latest evaluation slot at or before `now`
    /// (nanoseconds since the epoch), in nanoseconds.
    public func slot(atOrBefore now: Int64) -> Int64 {
        let intervalNanoseconds = interval * 1_000_000
        let adjusted = now - offsetNanoseconds
        var remainder = adjusted % intervalNanoseconds
        if remainder < 0 { remainder += intervalNanoseconds }
        return adjusted - remainder + offsetNanoseconds
    }

    /// The first evaluation after starting at `now` (nanoseconds): the slot after the current one.
    public func firstEvaluation(startingAt now: Int64) -> Int64 {
        slot(atOrBefore: now) + interval * 1_000_000
    }

    /// The evaluation to run when a tick arrives at `now` after evaluating at `last` (both in
    /// nanoseconds), and how many evaluations were missed (skipped, as Prometheus counts in
    /// `prometheus_rule_group_iterations_missed_total`).
    public func next(after last: Int64, now: Int64) -> (time: Int64, missed: Int64) {
        let intervalNanoseconds = interval * 1_000_000
        let missed = max((now - last) / intervalNanoseconds - 1, 0)
        return (last + (missed + 1) * intervalNanoseconds, missed)
    }
}
