import Series

/// The body of Alertmanager's `POST /api/v2/alerts`: a JSON array of postable alerts, with the
/// fields Prometheus fills in (`labels`, `annotations`, `startsAt`, `endsAt`, `generatorURL`).
enum AlertmanagerPayload {
    /// The JSON array for `alerts`. An alert without an end gets no `endsAt`, as in Prometheus.
    static func encode(_ alerts: [PostableAlert]) -> [UInt8] {
        var json = JSONText()
        json.raw("[")
        for (index, alert) in alerts.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{")
            json.key("annotations")
            json.object(alert.annotations)
            if let endsAt = alert.endsAt {
                json.raw(",")
                json.key("endsAt")
                json.string(GoTime.rfc3339(milliseconds: endsAt))
            }
            json.raw(",")
            json.key("startsAt")
            json.string(GoTime.rfc3339(milliseconds: alert.startsAt))
            json.raw(",")
            json.key("generatorURL")
            json.string(alert.generatorURL)
            json.raw(",")
            json.key("labels")
            json.object(alert.labels)
            json.raw("}")
        }
        json.raw("]")
        return Array(json.text.utf8)
    }
}
