import Config
import Series

/// `global`: defaults for every job and the labels this server adds to what leaves it.
public struct GlobalConfig: Sendable, Hashable {
    /// Prometheus's default scrape interval, one minute.
    public static let defaultScrapeInterval = PromDuration(milliseconds: 60_000)!
    /// Prometheus's default scrape timeout, ten seconds.
    public static let defaultScrapeTimeout = PromDuration(milliseconds: 10_000)!
    /// Prometheus's default rule evaluation interval, one minute.
    public static let defaultEvaluationInterval = PromDuration(milliseconds: 60_000)!

    /// `scrape_interval`; 1m by default.
    public var scrapeInterval: PromDuration
    /// `scrape_timeout`; 10s by default, never above the interval.
    public var scrapeTimeout: PromDuration
    /// `evaluation_interval`; 1m by default.
    public var evaluationInterval: PromDuration
    /// `rule_query_offset`: how far back rule groups evaluate by default; 0 by default.
    public var ruleQueryOffset: PromDuration
    /// `external_labels`, with `${VAR}` in values expanded.
    public var externalLabels: Labels
    /// The limits every scrape config inherits.
    public var limits: ScrapeLimits
    /// `scrape_protocols` every scrape config inherits; nil when not set.
    public var scrapeProtocols: [ScrapeProtocol]?

    /// Prometheus's defaults.
    public init(
        scrapeInterval: PromDuration = GlobalConfig.defaultScrapeInterval,
        scrapeTimeout: PromDuration = GlobalConfig.defaultScrapeTimeout,
        evaluationInterval: PromDuration = GlobalConfig.defaultEvaluationInterval,
        ruleQueryOffset: PromDuration = PromDuration(milliseconds: 0)!, externalLabels: Labels = .empty,
        limits: ScrapeLimits = ScrapeLimits(), scrapeProtocols: [ScrapeProtocol]? = nil
    ) {
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.evaluationInterval = evaluationInterval
        self.ruleQueryOffset = ruleQueryOffset
        self.externalLabels = externalLabels
        self.limits = limits
        self.scrapeProtocols = scrapeProtocols
    }

    static let unsupported: [String: String] = [
        "query_log_file": "llmwatch does not write a PromQL query log",
        "scrape_failure_log_file": "llmwatch does not write a scrape failure log; failures are logged and shown per target",
        "scrape_native_histograms": "native histograms are not implemented",
        "always_scrape_classic_histograms": "native histograms are not implemented, so classic ones are always scraped",
        "convert_classic_histograms_to_nhcb": "native histograms are not implemented",
        "extra_scrape_metrics": "the extra scrape_* report series are not written",
        "metric_name_escaping_scheme": "only legacy metric names are read; there is nothing to escape",
    ]

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> GlobalConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported(unsupported)
        var config = GlobalConfig()
        let zero = PromDuration(milliseconds: 0)!
        if let interval = try mapping.duration("scrape_interval"), interval != zero {
            config.scrapeInterval = interval
        }
        let timeout = try mapping.duration("scrape_timeout") ?? zero
        if timeout > config.scrapeInterval {
            throw mapping.position("scrape_timeout").error(
                "global scrape timeout greater than scrape interval (\(timeout) > \(config.scrapeInterval))")
        }
        config.scrapeTimeout = timeout == zero ? min(defaultScrapeTimeout, config.scrapeInterval) : timeout
        if let interval = try mapping.duration("evaluation_interval"), interval != zero {
            config.evaluationInterval = interval
        }
        config.ruleQueryOffset = try mapping.duration("rule_query_offset") ?? zero
        if let labelsNode = mapping.optional("external_labels") {
            var labels: [Label] = []
            for entry in try labelsNode.mapping().entries {
                guard Labels.isLegacyLabelName(entry.key) else {
                    throw entry.keyNode.error("\(Labels.quote(entry.key)) is not a valid label name")
                }
                let value =
                    entry.value.isNull ? "" : try entry.value.string(expandingEnvironment: context.environment)
                labels.append(Label(name: entry.key, value: value))
            }
            config.externalLabels = Labels(labels)
        }
        config.limits = try ScrapeLimits.decode(mapping)
        config.scrapeProtocols = try ScrapeConfig.decodeProtocols(mapping, context: "global config")
        try NameValidation.check(mapping)
        try mapping.rejectUnknownKeys()
        return config
    }
}

/// `metric_name_validation_scheme`: llmwatch reads legacy names only.
enum NameValidation {
    static func check(_ mapping: ConfigMapping) throws(ConfigError) {
        guard let node = mapping.optional("metric_name_validation_scheme") else { return }
        let scheme = try node.string()
        switch scheme {
        case "", "legacy": return
        case "utf8":
            throw node.error(
                "metric_name_validation_scheme utf8 is not supported by llmwatch: metric and label names are read in "
                    + "the legacy character set ([a-zA-Z_:][a-zA-Z0-9_:]*); use legacy")
        default:
            throw node.error("unknown name validation method \(Labels.quote(scheme)); use legacy")
        }
    }
}
