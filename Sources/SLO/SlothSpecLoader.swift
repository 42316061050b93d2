import Config
import PromQL
import Series

/// Reads Sloth's `prometheus/v1` SLO spec (`version`, `service`, `labels`, `slos` with
/// `events` or `raw` SLIs and `alerting`), with errors at `file:line:col`. Sloth's SLI plugins
/// are not supported: a spec that names one is refused with that reason.
public enum SlothSpecLoader {
    /// The spec's `version`.
    public static let version = "prometheus/v1"

    /// Whether `root` looks like a Sloth spec (it has a `version`; `load` checks which).
    public static func recognizes(_ root: ConfigNode) -> Bool {
        guard let mapping = try? root.mapping() else { return false }
        return mapping.keys.contains("version")
    }

    /// Reads the spec in `root`; SLOs cover `defaultPeriod` milliseconds (Sloth's
    /// `--default-slo-period`, 30 days).
    public static func load(_ root: ConfigNode, defaultPeriod: Int64 = 30 * 86_400_000) throws(ConfigError) -> SLOService {
        let mapping = try root.mapping()
        let versionNode = try mapping.required("version")
        guard try versionNode.string() == version else {
            throw versionNode.error("unsupported SLO spec version \"\(try versionNode.string())\"; expected \(version)")
        }
        let serviceNode = try mapping.required("service")
        let service = try serviceNode.string()
        guard SLONames.isValid(service) else { throw serviceNode.error(SLONames.problem("service", service)) }
        let labels = try mapping.optional("labels").map { (node) throws(ConfigError) in try SLONames.labels(node) } ?? [:]
        var slos: [ServiceLevelObjective] = []
        var names: Set<String> = []
        let slosNode = try mapping.required("slos")
        for node in try slosNode.sequence() {
            let slo = try loadSLO(node, defaultPeriod: defaultPeriod)
            guard names.insert(slo.name).inserted else { throw node.error("SLO \"\(slo.name)\" is defined twice") }
            slos.append(slo)
        }
        guard !slos.isEmpty else { throw slosNode.error("the spec has no SLOs; add at least one under slos") }
        try mapping.rejectUnknownKeys()
        return SLOService(service: service, labels: labels, slos: slos)
    }

    private static func loadSLO(_ node: ConfigNode, defaultPeriod: Int64) throws(ConfigError) -> ServiceLevelObjective {
        let mapping = try node.mapping()
        let nameNode = try mapping.required("name")
        let name = try nameNode.string()
        guard SLONames.isValid(name) else { throw nameNode.error(SLONames.problem("SLO name", name)) }
        let objectiveNode = try mapping.required("objective")
        let percent = try objectiveNode.double()
        guard percent > 0, percent <= 100 else {
            throw objectiveNode.error("objective must be a percentage above 0 and at most 100, got \(percent)")
        }
        let description = try mapping.optional("description")?.string() ?? ""
        let labels = try mapping.optional("labels").map { (node) throws(ConfigError) in try SLONames.labels(node) } ?? [:]
        let indicator = try loadIndicator(try mapping.required("sli"))
        var slo = ServiceLevelObjective(
            name: name, description: description, objective: percent / 100, errorBudget: (100 - percent) / 100,
            period: defaultPeriod,
            indicator: indicator, labels: labels)
        if let alerting = mapping.optional("alerting") {
            try loadAlerting(alerting, into: &slo)
        }
        try mapping.rejectUnknownKeys()
        return slo
    }

    private static func loadIndicator(_ node: ConfigNode) throws(ConfigError) -> ServiceLevelObjective.Indicator {
        let mapping = try node.mapping()
        if mapping.optional("plugin") != nil {
            throw node.error("SLI plugins are not supported by llmwatch; write the SLI as events or raw queries")
        }
        let events = mapping.optional("events")
        let raw = mapping.optional("raw")
        try mapping.rejectUnknownKeys(allowed: ["plugin"])
        switch (events, raw) {
        case (let events?, nil):
            let fields = try events.mapping()
            let error = try SLOQuery.check(try fields.required("error_query"))
            let total = try SLOQuery.check(try fields.required("total_query"))
            try fields.rejectUnknownKeys()
            return .events(errorQuery: error, totalQuery: total)
        case (nil, let raw?):
            let fields = try raw.mapping()
            let ratio = try SLOQuery.check(try fields.required("error_ratio_query"))
            try fields.rejectUnknownKeys()
            return .raw(errorRatioQuery: ratio)
        case (nil, nil):
            throw node.error("an SLI needs events (error_query and total_query) or raw (error_ratio_query)")
        case (_?, _?):
            throw node.error("an SLI has either events or raw, not both")
        }
    }

    /// Reads an `alerting` block (`name`, `labels`, `annotations`, `page_alert`, `ticket_alert`)
    /// into `slo`; shared by both spec formats.
    static func loadAlerting(_ node: ConfigNode, into slo: inout ServiceLevelObjective) throws(ConfigError) {
        let mapping = try node.mapping()
        slo.alertLabels = try mapping.optional("labels").map { (n) throws(ConfigError) in try SLONames.labels(n) } ?? [:]
        slo.alertAnnotations = try mapping.optional("annotations").map { (n) throws(ConfigError) in try n.stringMap() } ?? [:]
        slo.page = try mapping.optional("page_alert").map { (n) throws(ConfigError) in try loadAlert(n) } ?? .init()
        slo.ticket = try mapping.optional("ticket_alert").map { (n) throws(ConfigError) in try loadAlert(n) } ?? .init()
        let nameNode = mapping.optional("name")
        try mapping.rejectUnknownKeys()
        if let nameNode {
            let name = try nameNode.string()
            guard Labels.isLegacyMetricName(name) else {
                throw nameNode.error("invalid alert name \"\(name)\": it must be a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
            }
            slo.alertName = name
        } else if !slo.page.disabled || !slo.ticket.disabled {
            throw node.error("alerting needs a name unless both page_alert and ticket_alert are disabled")
        }
    }

    private static func loadAlert(_ node: ConfigNode) throws(ConfigError) -> ServiceLevelObjective.Alert {
        let mapping = try node.mapping()
        let alert = ServiceLevelObjective.Alert(
            labels: try mapping.optional("labels").map { (n) throws(ConfigError) in try SLONames.labels(n) } ?? [:],
            annotations: try mapping.optional("annotations").map { (n) throws(ConfigError) in try n.stringMap() } ?? [:],
            disabled: try mapping.optional("disable")?.bool() ?? false)
        try mapping.rejectUnknownKeys()
        return alert
    }
}
