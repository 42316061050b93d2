import Series

/// The body Alertmanager's webhook receiver POSTs (version 4), which llmwatch sends itself to
/// users who run no Alertmanager. Its fields follow Alertmanager 0.25's `webhook.Message`.
public struct WebhookPayload: Sendable, Equatable {
    /// The receiver's name.
    public var receiver: String
    /// The labels the alerts are grouped by.
    public var groupLabels: Labels
    /// The alerts of the group, firing and newly resolved.
    public var alerts: [PostableAlert]
    /// The evaluation time the payload describes (firing and resolved are judged at it).
    public var time: Int64
    /// llmwatch's external URL.
    public var externalURL: String

    /// Creates a payload.
    public init(receiver: String, groupLabels: Labels, alerts: [PostableAlert], time: Int64, externalURL: String) {
        self.receiver = receiver
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.time = time
        self.externalURL = externalURL
    }

    /// `firing` when any alert fires, else `resolved`.
    public var status: String {
        alerts.contains { !$0.isResolved(at: time) } ? "firing" : "resolved"
    }

    /// The group key in Alertmanager's form for the root route: `{}:{alertname="X"}`.
    public var groupKey: String {
        let pairs = groupLabels.map { "\($0.name)=\(Labels.quote($0.value))" }
        return "{}:{" + pairs.joined(separator: ", ") + "}"
    }

    /// The labels every alert shares.
    public var commonLabels: Labels { Self.common(alerts.map(\.labels)) }

    /// The annotations every alert shares.
    public var commonAnnotations: Labels { Self.common(alerts.map(\.annotations)) }

    private static func common(_ sets: [Labels]) -> Labels {
        guard var shared = sets.first?.pairs else { return .empty }
        for set in sets.dropFirst() {
            shared = shared.filter { set[$0.name] == $0.value && set.has($0.name) }
        }
        return Labels(sortedPairs: shared)
    }

    /// The JSON body, fields in Alertmanager's order.
    public func encode() -> [UInt8] {
        var json = JSONText()
        json.raw("{")
        json.key("receiver")
        json.string(receiver)
        json.raw(",")
        json.key("status")
        json.string(status)
        json.raw(",")
        json.key("alerts")
        json.raw("[")
        for (index, alert) in alerts.enumerated() {
            if index > 0 { json.raw(",") }
            let resolved = alert.isResolved(at: time)
            json.raw("{")
            json.key("status")
            json.string(resolved ? "resolved" : "firing")
            json.raw(",")
            json.key("labels")
            json.object(alert.labels)
            json.raw(",")
            json.key("annotations")
            json.object(alert.annotations)
            json.raw(",")
            json.key("startsAt")
            json.string(GoTime.rfc3339(milliseconds: alert.startsAt))
            json.raw(",")
            json.key("endsAt")
            // Alertmanager writes the zero time for a firing alert, whatever end it was sent.
            json.string(resolved ? GoTime.rfc3339(milliseconds: alert.endsAt ?? time) : GoTime.zero)
            json.raw(",")
            json.key("generatorURL")
            json.string(alert.generatorURL)
            json.raw(",")
            json.key("fingerprint")
            json.string(Fingerprint.text(alert.fingerprint))
            json.raw("}")
        }
        json.raw("],")
        json.key("groupLabels")
        json.object(groupLabels)
        json.raw(",")
        json.key("commonLabels")
        json.object(commonLabels)
        json.raw(",")
        json.key("commonAnnotations")
        json.object(commonAnnotations)
        json.raw(",")
        json.key("externalURL")
        json.string(externalURL)
        json.raw(",")
        json.key("version")
        json.string("4")
        json.raw(",")
        json.key("groupKey")
        json.string(groupKey)
        json.raw(",")
        json.key("truncatedAlerts")
        json.raw("0")
        json.raw("}")
        return Array(json.text.utf8)
    }
}
