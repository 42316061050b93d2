import PromQL
import Series

/// What one evaluation of one rule did.
public struct RuleEvaluation: Sendable {
    /// The rule's record or alert name.
    public var rule: String
    /// The samples written (recording results, or `ALERTS`/`ALERTS_FOR_STATE`), stale markers
    /// excluded.
    public var samples: [VectorSample]
    /// Alerts of an alerting rule to hand to the notifier now (Prometheus's `sendAlerts`):
    /// firing and recently resolved alerts, resent every `resendDelay`, each valid for four
    /// evaluation intervals (or resend delays). Empty for recording rules and failed evaluations.
    public var alertsToSend: [Alert] = []
    /// The evaluation error in Prometheus's words (a query failure, `exceeded limit of 2 with 3
    /// series`, a label set collision), or nil.
    public var error: String?
}

/// Evaluates one rule group as Prometheus's `rules.Group.Eval` does, keeping the state that
/// carries between evaluations: each alerting rule's active alerts and each rule's series of the
/// previous evaluation (to write stale markers for series that vanished).
///
/// The evaluator does not schedule itself; `RuleGroupSchedule` says when to call `evaluate`.
public struct RuleGroupEvaluator: Sendable {
    /// The group.
    public let group: RuleGroup
    /// Labels available to templates as `$externalLabels`.
    public var externalLabels: [String: String]
    /// The URL available to templates as `$externalURL` and to `externalURL`/`pathPrefix`.
    public var externalURL: String
    /// Whether the `externalURL` and `pathPrefix` template functions work; `promtool test rules`
    /// runs without a parsed URL, so there they fail with a nil pointer dereference.
    public var externalURLFunctions = true
    /// The `query_offset` used when the group sets none, in milliseconds.
    public var defaultQueryOffset: Int64
    /// How long resolved alerts stay in `alerts` (for notifying), in milliseconds (15m).
    public var resolvedRetention: Int64 = 15 * 60_000
    /// How often a still-firing alert is sent again, in milliseconds (Prometheus's
    /// `--rules.alert.resend-delay`, 1m).
    public var resendDelay: Int64 = 60_000
    /// The group's interval when it sets none, in milliseconds, for alerts' `validUntil`.
    public var defaultInterval: Int64 = 60_000
    /// Whether alert state has been restored after a start (Prometheus writes no `ALERTS` or
    /// `ALERTS_FOR_STATE` samples before); see `restoreForState`. True unless set otherwise.
    public var restored = true

    private var active: [[Labels: Alert]]
    private var previousSeries: [Set<Labels>]
    /// The last evaluation error of each rule, by index; nil when it succeeded.
    public private(set) var lastErrors: [String?]
    /// When each rule was last evaluated (milliseconds), by index; nil before the first time.
    public private(set) var lastEvaluations: [Int64?]
    /// How long each rule's last evaluation took, by index (Prometheus's `evaluationTime`).
    public private(set) var lastDurations: [Duration?]

    /// A rule's health as Prometheus's API reports it.
    public enum Health: String, Sendable {
        /// Not evaluated yet.
        case unknown
        /// The last evaluation succeeded.
        case ok
        /// The last evaluation failed; see `lastErrors`.
        case err
    }

    /// The health of the rule at `index`.
    public func health(ofRule index: Int) -> Health {
        guard lastEvaluations[index] != nil else { return .unknown }
        return lastErrors[index] == nil ? .ok : .err
    }

    /// Creates an evaluator with no state.
    public init(
        group: RuleGroup, externalLabels: [String: String] = [:], externalURL: String = "",
        defaultQueryOffset: Int64 = 0
    ) {
        self.group = group
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.defaultQueryOffset = defaultQueryOffset
        active = Array(repeating: [:], count: group.rules.count)
        previousSeries = Array(repeating: [], count: group.rules.count)
        lastErrors = Array(repeating: nil, count: group.rules.count)
        lastEvaluations = Array(repeating: nil, count: group.rules.count)
        lastDurations = Array(repeating: nil, count: group.rules.count)
    }

    /// Takes over the alert state and previous series of `other`, an evaluator of the same group
    /// before a reload (rules matched by position, as their names agree).
    public mutating func adoptState(from other: RuleGroupEvaluator) {
        guard other.group.rules.count == group.rules.count else { return }
        active = other.active
        previousSeries = other.previousSeries
        lastErrors = other.lastErrors
        lastEvaluations = other.lastEvaluations
        lastDurations = other.lastDurations
    }

    /// Sets when an alert became active (restoring `for` state).
    mutating func setActiveAt(_ time: Int64, ofAlert labels: Labels, rule index: Int) {
        active[index][labels]?.activeAt = time
    }

    /// The alerts of the alerting rule at `index` that are pending, firing, or resolved within
    /// the retention, sorted by labels.
    public func alerts(ofRule index: Int) -> [Alert] {
        active[index].values.sorted { $0.labels < $1.labels }
    }

    /// The pending and firing alerts of the rule at `index` (Prometheus's `ActiveAlerts`).
    public func activeAlerts(ofRule index: Int) -> [Alert] {
        alerts(ofRule: index).filter { $0.state != .inactive }
    }

    /// Evaluates every rule in order at `time` (milliseconds), writing results through
    /// `appender`; a rule's failure is recorded and does not stop the others.
    public mutating func evaluate(at time: Int64, engine: any QueryEngine, appender: any SampleAppender) async
        -> [RuleEvaluation]
    {
        let offset = group.queryOffset ?? defaultQueryOffset
        var results: [RuleEvaluation] = []
        for index in group.rules.indices {
            let rule = group.rules[index]
            lastEvaluations[index] = time
            let started = ContinuousClock.now
            defer { lastDurations[index] = ContinuousClock.now - started }
            let vector: [VectorSample]
            do {
                switch rule.kind {
                case .recording:
                    vector = try await evaluateRecording(rule, at: time - offset, engine: engine)
                case .alerting:
                    vector = try await evaluateAlerting(index, at: time, offset: offset, engine: engine)
                }
            } catch {
                lastErrors[index] = "\(error)"
                results.append(RuleEvaluation(rule: rule.name, samples: [], error: "\(error)"))
                continue
            }
            lastErrors[index] = nil
            var toSend: [Alert] = []
            if rule.kind == .alerting {
                toSend = markSent(index, at: time)
            }
            var written = Set<Labels>()
            var batch: [LabeledSample] = []
            for sample in vector where !written.contains(sample.labels) {
                written.insert(sample.labels)
                batch.append(LabeledSample(labels: sample.labels, timestamp: sample.timestamp, value: sample.value))
            }
            for labels in previousSeries[index] where !written.contains(labels) {
                batch.append(LabeledSample(labels: labels, timestamp: time - offset, value: Sample.staleNaN))
            }
            var appendError: String?
            do {
                _ = try appender.append(batch)
            } catch {
                appendError = "\(error)"
                lastErrors[index] = appendError
            }
            previousSeries[index] = written
            results.append(
                RuleEvaluation(rule: rule.name, samples: vector, alertsToSend: toSend, error: appendError))
        }
        return results
    }

    /// Picks the alerts of rule `index` that need sending and stamps them as sent.
    private mutating func markSent(_ index: Int, at time: Int64) -> [Alert] {
        var sent: [Alert] = []
        let delta = max(resendDelay, group.interval ?? defaultInterval)
        for labels in active[index].keys.sorted() {
            guard var alert = active[index][labels], alert.needsSending(at: time, resendDelay: resendDelay) else {
                continue
            }
            alert.lastSentAt = time
            alert.validUntil = time + 4 * delta
            active[index][labels] = alert
            sent.append(alert)
        }
        return sent
    }

    /// Labels the group and rule add, group labels first so the rule's win.
    private func addedLabels(_ rule: Rule) -> [(name: String, value: String)] {
        group.labels + rule.labels
    }

    private func evaluateRecording(_ rule: Rule, at time: Int64, engine: any QueryEngine) async throws
        -> [VectorSample]
    {
        var vector = try await engine.instantQuery(rule.expr, at: time)
        var seen = Set<Labels>()
        for i in vector.indices {
            var labels = vector[i].labels.setting(Labels.metricName, to: rule.name)
            for label in addedLabels(rule) {
                labels = labels.setting(label.name, to: label.value)
            }
            vector[i].labels = labels
            vector[i].timestamp = time
            guard seen.insert(labels).inserted else {
                throw RuleQueryError("vector contains metrics with the same labelset after applying rule labels")
            }
        }
        if group.limit > 0 && vector.count > group.limit {
            throw RuleQueryError("exceeded limit of \(group.limit) with \(vector.count) series")
        }
        return vector
    }

    private mutating func evaluateAlerting(_ index: Int, at time: Int64, offset: Int64, engine: any QueryEngine)
        async throws -> [VectorSample]
    {
        let rule = group.rules[index]
        let queryTime = time - offset
        let result = try await engine.instantQuery(rule.expr, at: queryTime)
        let templateName = "__alert_" + rule.name
        let query: TemplateQueryFunction = { text in
            let expr: Expr
            do {
                expr = try PromQLParser.parse(text)
            } catch {
                throw RuleQueryError("\(error)")
            }
            return try await engine.instantQuery(expr, at: queryTime)
        }
        var fresh: [Labels: Alert] = [:]
        for sample in result {
            var plain: [String: String] = [:]
            for label in sample.labels { plain[label.name] = label.value }
            var labels = sample.labels.removing([Labels.metricName])
            for label in addedLabels(rule) {
                let value = await RuleTemplate.expand(
                    label.value, name: templateName, labels: plain, externalLabels: externalLabels,
                    externalURL: externalURL, functionsURL: externalURLFunctions ? externalURL : nil,
                    value: sample.value, query: query)
                labels = labels.setting(label.name, to: value)
            }
            labels = labels.setting("alertname", to: rule.name)
            var annotations: [Label] = []
            for annotation in rule.annotations {
                let value = await RuleTemplate.expand(
                    annotation.value, name: templateName, labels: plain, externalLabels: externalLabels,
                    externalURL: externalURL, functionsURL: externalURLFunctions ? externalURL : nil,
                    value: sample.value, query: query)
                annotations.removeAll { $0.name == annotation.name }
                annotations.append(Label(name: annotation.name, value: value))
            }
            guard fresh[labels] == nil else {
                throw RuleQueryError("vector contains metrics with the same labelset after applying alert labels")
            }
            fresh[labels] = Alert(
                labels: labels, annotations: Labels(sortedPairs: annotations.sorted()), state: .pending,
                value: sample.value, activeAt: time)
        }
        var alerts = active[index]
        for (labels, alert) in fresh {
            if var existing = alerts[labels], existing.state != .inactive {
                existing.value = alert.value
                existing.annotations = alert.annotations
                alerts[labels] = existing
            } else {
                alerts[labels] = alert
            }
        }
        var vector: [VectorSample] = []
        var activeCount = 0
        for labels in alerts.keys.sorted() {
            guard var alert = alerts[labels] else { continue }
            if fresh[labels] == nil {
                var keepFiring = false
                if alert.state == .firing && rule.keepFiringFor > 0 {
                    let since = alert.keepFiringSince ?? time
                    alert.keepFiringSince = since
                    keepFiring = time - since < rule.keepFiringFor
                }
                if alert.state == .pending
                    || (alert.resolvedAt.map { time - $0 > resolvedRetention } ?? false)
                {
                    alerts[labels] = nil
                    continue
                }
                if alert.state != .inactive && !keepFiring {
                    alert.state = .inactive
                    alert.resolvedAt = time
                }
                alerts[labels] = alert
                if !keepFiring { continue }
            } else {
                alert.keepFiringSince = nil
            }
            activeCount += 1
            if alert.state == .pending && time - alert.activeAt >= rule.holdDuration {
                alert.state = .firing
                alert.firedAt = time
            }
            alerts[labels] = alert
            guard restored else { continue }
            vector.append(
                VectorSample(
                    labels: alert.labels.setting(Labels.metricName, to: "ALERTS").setting(
                        "alertstate", to: alert.state.rawValue),
                    timestamp: queryTime, value: 1))
            vector.append(
                VectorSample(
                    labels: alert.labels.setting(Labels.metricName, to: "ALERTS_FOR_STATE"), timestamp: queryTime,
                    value: Double(Self.floorDiv(alert.activeAt, 1000))))
        }
        if group.limit > 0 && activeCount > group.limit {
            active[index] = [:]
            throw RuleQueryError("exceeded limit of \(group.limit) with \(activeCount) alerts")
        }
        active[index] = alerts
        return vector
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }
}
