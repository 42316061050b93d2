import Evaluator
import PromQL
import Series

/// `/api/v1/rules` and `/api/v1/alerts` in Prometheus's JSON shapes (`web/api/v1`
/// `RuleDiscovery` and `AlertDiscovery`), so Grafana's alert list and rule views work.
enum RulesJSON {
    /// Which rules `/api/v1/rules` returns (its `type`, `rule_name[]`, `rule_group[]`, `file[]`
    /// and `exclude_alerts` parameters).
    struct Filter {
        var type: String?
        var ruleNames: Set<String> = []
        var groupNames: Set<String> = []
        var files: Set<String> = []
        var excludeAlerts = false

        func keeps(_ rule: Rule) -> Bool {
            switch type {
            case "alert": if rule.kind != .alerting { return false }
            case "record": if rule.kind != .recording { return false }
            default: break
            }
            return ruleNames.isEmpty || ruleNames.contains(rule.name)
        }

        func keeps(_ group: RuleGroup) -> Bool {
            (groupNames.isEmpty || groupNames.contains(group.name)) && (files.isEmpty || files.contains(group.file))
        }
    }

    /// The `data` of `/api/v1/rules`.
    static func rules(_ statuses: [RuleManager.GroupStatus], filter: Filter) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        writer.raw("{\"groups\":[")
        var firstGroup = true
        for status in statuses where filter.keeps(status.evaluator.group) {
            let group = status.evaluator.group
            let indices = group.rules.indices.filter { filter.keeps(group.rules[$0]) }
            if filter.type != nil || !filter.ruleNames.isEmpty, indices.isEmpty { continue }
            if !firstGroup { writer.byte(UInt8(ascii: ",")) }
            firstGroup = false
            writer.raw("{\"name\":")
            writer.string(group.name)
            writer.raw(",\"file\":")
            writer.string(group.file)
            writer.raw(",\"rules\":[")
            for (position, index) in indices.enumerated() {
                if position > 0 { writer.byte(UInt8(ascii: ",")) }
                rule(index, of: status, excludeAlerts: filter.excludeAlerts, into: &writer)
            }
            writer.raw("],\"interval\":")
            writer.number(Double(group.interval ?? status.evaluator.defaultInterval) / 1000)
            writer.raw(",\"limit\":")
            writer.integer(group.limit)
            writer.raw(",\"evaluationTime\":")
            writer.number(status.lastDuration.map(seconds) ?? 0)
            writer.raw(",\"lastEvaluation\":")
            writer.string(status.lastEvaluation.map(GoTime.rfc3339) ?? GoTime.zero)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.raw("]}")
        return writer.bytes
    }

    private static func rule(_ index: Int, of status: RuleManager.GroupStatus, excludeAlerts: Bool, into writer: inout JSONWriter) {
        let evaluator = status.evaluator
        let rule = evaluator.group.rules[index]
        let labels = Labels(rule.labels.map { Label(name: $0.name, value: $0.value) })
        if rule.kind == .alerting {
            let alerts = evaluator.activeAlerts(ofRule: index)
            let state = alerts.contains { $0.state == .firing } ? "firing" : alerts.isEmpty ? "inactive" : "pending"
            writer.raw("{\"state\":")
            writer.string(state)
            writer.raw(",\"name\":")
            writer.string(rule.name)
            writer.raw(",\"query\":")
            writer.string(rule.expr.description)
            writer.raw(",\"duration\":")
            writer.number(Double(rule.holdDuration) / 1000)
            writer.raw(",\"keepFiringFor\":")
            writer.number(Double(rule.keepFiringFor) / 1000)
            writer.raw(",\"labels\":")
            PrometheusJSON.labels(labels, into: &writer)
            writer.raw(",\"annotations\":")
            PrometheusJSON.labels(Labels(rule.annotations.map { Label(name: $0.name, value: $0.value) }), into: &writer)
            if !excludeAlerts {
                writer.raw(",\"alerts\":")
                Self.alerts(alerts, into: &writer)
            }
        } else {
            writer.raw("{\"name\":")
            writer.string(rule.name)
            writer.raw(",\"query\":")
            writer.string(rule.expr.description)
            writer.raw(",\"labels\":")
            PrometheusJSON.labels(labels, into: &writer)
        }
        writer.raw(",\"health\":")
        writer.string(evaluator.health(ofRule: index).rawValue)
        if let error = evaluator.lastErrors[index] {
            writer.raw(",\"lastError\":")
            writer.string(error)
        }
        writer.raw(",\"evaluationTime\":")
        writer.number(evaluator.lastDurations[index].map(seconds) ?? 0)
        writer.raw(",\"lastEvaluation\":")
        writer.string(evaluator.lastEvaluations[index].map(GoTime.rfc3339) ?? GoTime.zero)
        writer.raw(",\"type\":")
        writer.string(rule.kind == .alerting ? "alerting" : "recording")
        writer.byte(UInt8(ascii: "}"))
    }

    /// A JSON list of alerts as `/api/v1/alerts` and the rules' `alerts` write them.
    static func alerts(_ alerts: [Alert], into writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "["))
        for (index, alert) in alerts.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.raw("{\"labels\":")
            PrometheusJSON.labels(alert.labels, into: &writer)
            writer.raw(",\"annotations\":")
            PrometheusJSON.labels(alert.annotations, into: &writer)
            writer.raw(",\"state\":")
            writer.string(alert.state.rawValue)
            writer.raw(",\"activeAt\":")
            writer.string(GoTime.rfc3339(milliseconds: alert.activeAt))
            if let since = alert.keepFiringSince {
                writer.raw(",\"keepFiringSince\":")
                writer.string(GoTime.rfc3339(milliseconds: since))
            }
            writer.raw(",\"value\":")
            writer.string(Formatting.goExponent(alert.value))
            writer.byte(UInt8(ascii: "}"))
        }
        writer.byte(UInt8(ascii: "]"))
    }

    /// The `data` of `/api/v1/alerts`.
    static func activeAlerts(_ alerts: [Alert]) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.raw("{\"alerts\":")
        Self.alerts(alerts, into: &writer)
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
