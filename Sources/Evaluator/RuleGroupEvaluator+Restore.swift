import PromQL
import Series

extension RuleGroupEvaluator {
    /// Prometheus's `RestoreForState`: after a restart, moves each pending alert's `activeAt`
    /// back to when it really became active, read from the last `ALERTS_FOR_STATE` sample within
    /// `outageTolerance`, so `for` does not start over. The time the server was down counts as
    /// pending; an alert that would fire within `gracePeriod` of `time` waits the grace period.
    /// Rules whose `for` is shorter than the grace period are not restored. Marks the group
    /// restored, so `ALERTS` samples are written from then on. Times in milliseconds.
    public mutating func restoreForState(
        from source: any SeriesSource, at time: Int64, outageTolerance: Int64 = 3_600_000,
        gracePeriod: Int64 = 600_000
    ) {
        defer { restored = true }
        for (index, rule) in group.rules.enumerated() where rule.kind == .alerting {
            guard rule.holdDuration >= gracePeriod else { continue }
            for alert in alerts(ofRule: index) where alert.state != .inactive {
                let series = alert.labels.setting(Labels.metricName, to: "ALERTS_FOR_STATE")
                let matchers = series.compactMap { try? LabelMatcher(name: $0.name, type: .equal, value: $0.value) }
                guard
                    let stored = try? source.select(matchers: matchers, minTime: time - outageTolerance, maxTime: time),
                    let match = stored.first(where: { $0.labels == series })
                else { continue }
                var iterator = match.makeIterator()
                var last: Sample?
                while let sample = try? iterator.next() {
                    if !sample.isStaleMarker { last = sample }
                }
                guard let last, last.timestamp != 0 else { continue }
                let downAt = last.timestamp / 1000 * 1000
                var activeAt = Int64(last.value) * 1000
                let remaining = rule.holdDuration - (downAt - activeAt)
                if remaining <= 0 {
                    // It had already fired: keep the restored activeAt.
                } else if remaining < gracePeriod {
                    activeAt = time + gracePeriod - rule.holdDuration
                } else {
                    activeAt += time - downAt
                }
                setActiveAt(activeAt, ofAlert: alert.labels, rule: index)
            }
        }
    }
}
