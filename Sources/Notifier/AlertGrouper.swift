import Series

/// Groups alerts by `alertname` and decides when a webhook must hear of a group, as an
/// Alertmanager route with `group_by: [alertname]`, `group_wait: 0s` and `send_resolved: true`
/// would: when an alert of the group starts firing or resolves, and every `repeatInterval`
/// while any fires.
struct AlertGrouper: Sendable {
    private struct Group: Sendable {
        var alerts: [UInt64: PostableAlert] = [:]
        /// Whether each alert was firing when the group was last notified.
        var notified: [UInt64: Bool] = [:]
        var lastNotified: Int64?
    }

    private var groups: [String: Group] = [:]
    /// Alerts whose resolution was notified: fingerprint to (startsAt, when notified). Prometheus
    /// resends a resolved alert for 15 minutes; those resends must not notify again.
    private var resolvedNotified: [UInt64: (startsAt: Int64, at: Int64)] = [:]
    /// How often a group that still fires is sent again, in milliseconds (Alertmanager's
    /// `repeat_interval`, 4h by default).
    let repeatInterval: Int64

    init(repeatInterval: Int64) {
        self.repeatInterval = repeatInterval
    }

    /// Takes the alerts a rule evaluation sent, judges every group at `time`, and returns the
    /// groups to notify, each with its alerts (firing ones and those resolved since the last
    /// notification).
    mutating func ingest(_ alerts: [PostableAlert], at time: Int64) -> [(groupLabels: Labels, alerts: [PostableAlert])] {
        resolvedNotified = resolvedNotified.filter { time - $0.value.at < 3_600_000 }
        for alert in alerts {
            let fingerprint = alert.fingerprint
            if alert.isResolved(at: time), groups[alert.alertName]?.alerts[fingerprint] == nil,
                resolvedNotified[fingerprint]?.startsAt == alert.startsAt
            {
                continue
            }
            groups[alert.alertName, default: Group()].alerts[fingerprint] = alert
        }
        var due: [(groupLabels: Labels, alerts: [PostableAlert])] = []
        for name in groups.keys.sorted() {
            guard var group = groups[name] else { continue }
            let state = group.alerts.mapValues { !$0.isResolved(at: time) }
            let anyFiring = state.values.contains(true)
            let changed = state.contains { fingerprint, firing in group.notified[fingerprint] != firing }
            let repeatDue = anyFiring && group.lastNotified.map { time - $0 >= repeatInterval } ?? true
            if changed || repeatDue {
                let members = group.alerts.values.sorted { $0.labels < $1.labels }
                due.append((Labels(["alertname": name]), members))
                group.lastNotified = time
                group.notified = state
                for (fingerprint, firing) in state where !firing {
                    if let alert = group.alerts[fingerprint] {
                        resolvedNotified[fingerprint] = (alert.startsAt, time)
                    }
                    group.alerts[fingerprint] = nil
                    group.notified[fingerprint] = nil
                }
            }
            groups[name] = group.alerts.isEmpty ? nil : group
        }
        return due
    }
}
