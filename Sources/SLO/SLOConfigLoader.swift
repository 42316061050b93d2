import Config
import Foundation
import PromQL
import Series

/// Reads the `slo-config.yaml` our users already write (seed 004): `service_level_objectives`
/// of `name`, `description`, `metric`, `target`, `threshold`, `window`, `error_budget`, and
/// `service_level_agreements`, into the same model as a Sloth spec.
///
/// How each entry's `metric` becomes an error ratio:
/// - with `threshold`, `metric` is a histogram: the error ratio is the share of observations
///   above the threshold bucket (`1 - rate(metric_bucket{le="threshold"}) / rate(metric_count)`);
/// - `A / B` (two selectors): the ratio of the two, through `rate` for counters (`_total`) and
///   `avg_over_time` for gauges;
/// - one selector of a gauge (`up`, an accuracy): the time-average of the gauge is the good ratio.
///
/// `target` is the good fraction promised (`0.999`), unless the SLO bounds a bad ratio from
/// above: its metric counts errors or failures, or its description says "below" or "under"
/// (seed: "Error rate below 1%", `target: 0.01`); then the objective is `1 - target`.
/// `group_by` (an llmwatch addition) keeps labels such as `model_name` in the SLI, so each model
/// gets its own SLO series and alerts. `alerting` (also an addition) takes Sloth's block, to
/// name the alert and give it labels (severity) and annotations (description, runbook_url).
///
/// Ratios of counters divide by the total only where it is above zero, so a window without
/// traffic records nothing rather than NaN (which would poison the period's average).
/// `error_budget` must then agree with `1 - objective`; the seed's own `error_budget: 0.99` on
/// its error-rate SLO does not, and is corrected with a warning.
public enum SLOConfigLoader {
    /// A problem worth telling the user about that does not stop the load.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        /// Where and what.
        public let description: String
    }

    /// Whether `root` is this format (it has `service_level_objectives`).
    public static func recognizes(_ root: ConfigNode) -> Bool {
        guard let mapping = try? root.mapping() else { return false }
        return mapping.keys.contains("service_level_objectives")
    }

    /// Reads the file in `root`; SLOs belong to `service` unless the file names one.
    public static func load(_ root: ConfigNode, service defaultService: String = "llmwatch")
        throws(ConfigError) -> (service: SLOService, agreements: [ServiceLevelAgreement], warnings: [Warning])
    {
        let mapping = try root.mapping()
        var warnings: [Warning] = []
        let service = try mapping.optional("service")?.string() ?? defaultService
        let labels = try mapping.optional("labels").map { (node) throws(ConfigError) in try SLONames.labels(node) } ?? [:]
        var slos: [ServiceLevelObjective] = []
        var names: Set<String> = []
        for node in try mapping.required("service_level_objectives").sequence() {
            let slo = try loadSLO(node, warnings: &warnings)
            guard names.insert(slo.name).inserted else { throw node.error("SLO \"\(slo.name)\" is defined twice") }
            slos.append(slo)
        }
        var agreements: [ServiceLevelAgreement] = []
        for node in try mapping.optional("service_level_agreements")?.sequence() ?? [] {
            agreements.append(try ServiceLevelAgreement.load(node))
        }
        try mapping.rejectUnknownKeys()
        return (SLOService(service: service, labels: labels, slos: slos), agreements, warnings)
    }

    private static func loadSLO(_ node: ConfigNode, warnings: inout [Warning]) throws(ConfigError) -> ServiceLevelObjective {
        let mapping = try node.mapping()
        let nameNode = try mapping.required("name")
        let name = try nameNode.string()
        guard SLONames.isValid(name) else { throw nameNode.error(SLONames.problem("SLO name", name)) }
        let description = try mapping.optional("description")?.string() ?? ""
        let metricNode = try mapping.required("metric")
        let targetNode = try mapping.required("target")
        let target = try targetNode.double()
        guard target > 0, target < 1 else {
            throw targetNode.error("target must be a fraction between 0 and 1 (0.999 for 99.9%), got \(target)")
        }
        let threshold = try mapping.optional("threshold")?.double()
        let period = try mapping.optional("window").map { (n) throws(ConfigError) in try n.promDuration().milliseconds }
            ?? 30 * 86_400_000
        let budgetNode = mapping.optional("error_budget")
        let metric: Expr
        do {
            metric = try PromQLParser.parse(try metricNode.string())
        } catch {
            throw metricNode.error("invalid PromQL in metric: \(error)")
        }
        let boundsBadRatio =
            threshold == nil
            && (Self.countsErrors(metric) || description.lowercased().contains("below")
                || description.lowercased().contains("under"))
        let objective = boundsBadRatio ? 1 - target : target
        if let budgetNode {
            let budget = try budgetNode.double()
            if abs(budget - (1 - objective)) > 1e-9 {
                let place = "\(budgetNode.file):\(budgetNode.line):\(budgetNode.column)"
                if boundsBadRatio {
                    warnings.append(
                        Warning(
                            description:
                                "\(place): error_budget \(budget) of SLO \"\(name)\" disagrees with its target \(target) (an upper bound on the error ratio); using \(target)"
                        ))
                } else {
                    throw budgetNode.error(
                        "error_budget \(budget) disagrees with target \(target): the budget is 1 - target = \(1 - target)")
                }
            }
        }
        var grouping = ""
        if let groupBy = mapping.optional("group_by") {
            let names = try groupBy.stringList()
            for name in names where !Labels.isLegacyLabelName(name) {
                throw groupBy.error("invalid label name \"\(name)\" in group_by")
            }
            grouping = names.isEmpty ? "" : " by (\(names.joined(separator: ", ")))"
        }
        let indicator = try Self.indicator(
            metric, threshold: threshold, boundsBadRatio: boundsBadRatio, grouping: grouping, at: metricNode)
        var slo = ServiceLevelObjective(
            name: name, description: description, objective: objective, errorBudget: boundsBadRatio ? target : nil,
            period: period, indicator: indicator, alertName: Self.alertName(name))
        if let alerting = mapping.optional("alerting") {
            try SlothSpecLoader.loadAlerting(alerting, into: &slo)
        }
        try mapping.rejectUnknownKeys()
        return slo
    }

    /// `prediction_latency_slo` alerts as `PredictionLatencySLOBudgetBurn`.
    static func alertName(_ name: String) -> String {
        let words = name.split { $0 == "_" || $0 == "-" || $0 == "." }
        let camel = words.map { word -> String in
            word.lowercased() == "slo" ? "SLO" : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
        return (camel.first?.isLetter == true ? camel : "SLO" + camel) + "BudgetBurn"
    }

    /// Whether the expression's metrics count errors or failures.
    private static func countsErrors(_ expr: Expr) -> Bool {
        selectors(expr).contains { selector in
            let name = (selector.name ?? "").lowercased()
            return name.contains("error") || name.contains("fail")
        }
    }

    private static func selectors(_ expr: Expr) -> [VectorSelector] {
        switch expr {
        case .vectorSelector(let selector): return [selector]
        case .paren(let inner): return selectors(inner)
        case .binary(let binary): return selectors(binary.lhs) + selectors(binary.rhs)
        default: return []
        }
    }

    private static func indicator(
        _ metric: Expr, threshold: Double?, boundsBadRatio: Bool, grouping: String, at node: ConfigNode
    ) throws(ConfigError) -> ServiceLevelObjective.Indicator {
        if let threshold {
            guard case .vectorSelector(var selector) = unparenthesized(metric) else {
                throw node.error("with a threshold, metric must name a histogram, e.g. model_prediction_latency_seconds")
            }
            var base = selector.name ?? ""
            for suffix in ["_bucket", "_count", "_sum"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
            selector.matchers.removeAll { $0.name == Labels.metricName }
            let matchers = selector.matchers.map(\.description)
            let bucketMatchers = matchers + [bucketMatcher(threshold)]
            let total = "sum\(grouping)(rate(\(base)_count\(braced(matchers))[{{.window}}]))"
            let good = "sum\(grouping)(rate(\(base)_bucket\(braced(bucketMatchers))[{{.window}}]))"
            return .events(errorQuery: "(\(total) - \(good))", totalQuery: "(\(total) > 0)")
        }
        switch unparenthesized(metric) {
        case .vectorSelector(let selector):
            if (selector.name ?? "").hasSuffix("_total") {
                throw node.error(
                    "\(selector.name ?? "") is a counter; give a ratio such as errors_total / requests_total, or a histogram with a threshold")
            }
            let average = "avg\(grouping)(avg_over_time(\(selector)[{{.window}}]))"
            return .raw(errorRatioQuery: boundsBadRatio ? average : "1 - \(average)")
        case .binary(let binary) where binary.op == .div:
            guard case .vectorSelector(let bad) = unparenthesized(binary.lhs),
                case .vectorSelector(let all) = unparenthesized(binary.rhs)
            else {
                throw node.error("a ratio metric must divide one selector by another, e.g. errors_total / requests_total")
            }
            let numerator = windowed(bad, grouping)
            let denominator = windowed(all, grouping)
            if boundsBadRatio { return .events(errorQuery: numerator, totalQuery: "(\(denominator) > 0)") }
            return .events(errorQuery: "(\(denominator) - \(numerator))", totalQuery: "(\(denominator) > 0)")
        default:
            throw node.error("metric must be a selector, a ratio of two selectors, or a histogram with a threshold")
        }
    }

    private static func unparenthesized(_ expr: Expr) -> Expr {
        if case .paren(let inner) = expr { return unparenthesized(inner) }
        return expr
    }

    /// A counter's rate or a gauge's average over the window, summed over its series.
    private static func windowed(_ selector: VectorSelector, _ grouping: String) -> String {
        (selector.name ?? "").hasSuffix("_total")
            ? "sum\(grouping)(rate(\(selector)[{{.window}}]))" : "sum\(grouping)(avg_over_time(\(selector)[{{.window}}]))"
    }

    /// Matches the bucket of `threshold` as Prometheus 3 (`le="1"`) and Python clients (`le="1.0"`)
    /// write whole bounds.
    private static func bucketMatcher(_ threshold: Double) -> String {
        let text = Formatting.goFixed(threshold)
        if threshold == threshold.rounded(), !text.contains(".") {
            return "le=~\"\(text)(\\\\.0)?\""
        }
        return "le=\"\(text)\""
    }

    private static func braced(_ matchers: [String]) -> String {
        matchers.isEmpty ? "" : "{" + matchers.joined(separator: ", ") + "}"
    }
}

/// An agreement with customers built on SLOs (seed 004's `service_level_agreements`), kept for
/// the SLA report: what was promised and the credits a breach costs.
public struct ServiceLevelAgreement: Sendable, Equatable {
    /// A breach level and its service credit.
    public struct Penalty: Sendable, Equatable {
        /// Compliance below which the credit applies (0.995).
        public var breachThreshold: Double
        /// The credit, percent.
        public var creditPercentage: Double
    }

    /// The agreement's name.
    public var name: String
    /// The customer tier.
    public var tier: String
    /// What is promised, as written (`latency_p95: 50ms`, `availability: 99.95%`), in order.
    public var objectives: [(name: String, value: String)]
    /// The credits, strictest first as written.
    public var penalties: [Penalty]

    public static func == (lhs: ServiceLevelAgreement, rhs: ServiceLevelAgreement) -> Bool {
        lhs.name == rhs.name && lhs.tier == rhs.tier && lhs.penalties == rhs.penalties
            && lhs.objectives.map(\.name) == rhs.objectives.map(\.name)
            && lhs.objectives.map(\.value) == rhs.objectives.map(\.value)
    }

    static func load(_ node: ConfigNode) throws(ConfigError) -> ServiceLevelAgreement {
        let mapping = try node.mapping()
        let name = try mapping.required("name").string()
        let tier = try mapping.optional("tier")?.string() ?? ""
        var objectives: [(name: String, value: String)] = []
        for item in try mapping.optional("objectives")?.sequence() ?? [] {
            for entry in try item.mapping().entries { objectives.append((entry.key, try entry.value.string())) }
        }
        var penalties: [Penalty] = []
        for item in try mapping.optional("penalties")?.sequence() ?? [] {
            let fields = try item.mapping()
            penalties.append(
                Penalty(
                    breachThreshold: try fields.required("breach_threshold").double(),
                    creditPercentage: try fields.required("credit_percentage").double()))
            try fields.rejectUnknownKeys()
        }
        try mapping.rejectUnknownKeys()
        return ServiceLevelAgreement(name: name, tier: tier, objectives: objectives, penalties: penalties)
    }
}
