import Config
import Series

/// The URL scheme of scrapes and Alertmanager pushes.
public enum URLScheme: String, Sendable, Hashable {
    /// Plain HTTP.
    case http
    /// HTTP over TLS.
    case https
}

/// One `scrape_configs` entry: a job, how its targets are found, and how they are scraped.
///
/// Intervals, timeouts and limits left out inherit from `global` at load, as Prometheus's
/// `ScrapeConfig.Validate` fills them.
public struct ScrapeConfig: Sendable, Hashable {
    /// `job_name`: unique in the file; the default `job` label of the targets.
    public var jobName: String
    /// `scrape_interval`.
    public var scrapeInterval: PromDuration
    /// `scrape_timeout`; never longer than the interval.
    public var scrapeTimeout: PromDuration
    /// `metrics_path`; `/metrics` by default.
    public var metricsPath: String
    /// `scheme`; `http` by default.
    public var scheme: URLScheme
    /// `params`: query parameters of every scrape, in the order the keys were written.
    public var params: [QueryParameter] = []
    /// `honor_labels`: on a conflict keep the scraped label, not the target's.
    public var honorLabels: Bool
    /// `honor_timestamps`: keep timestamps the target exposes; true by default.
    public var honorTimestamps: Bool
    /// `track_timestamps_staleness`: stale markers also for series with explicit timestamps.
    public var trackTimestampsStaleness: Bool
    /// `enable_compression`: ask for gzip; true by default.
    public var enableCompression: Bool
    /// `scrape_protocols`: nil means Prometheus 2.42's `Accept` header.
    public var scrapeProtocols: [ScrapeProtocol]?
    /// `fallback_scrape_protocol`: how a page without a known `Content-Type` is read; text 0.0.4
    /// when nil.
    public var fallbackScrapeProtocol: ScrapeProtocol?
    /// The HTTP client settings (auth, TLS, redirects).
    public var http: HTTPClientConfig
    /// `static_configs`.
    public var staticConfigs: [TargetGroup]
    /// `file_sd_configs`.
    public var fileSDConfigs: [FileSDConfig]
    /// `relabel_configs`, applied to targets.
    public var relabelConfigs: [RelabelConfig]
    /// `metric_relabel_configs`, applied to scraped series.
    public var metricRelabelConfigs: [RelabelConfig]
    /// Scrape limits; 0 means none.
    public var limits: ScrapeLimits

    /// A config with Prometheus's defaults (1m interval, 10s timeout) for a job.
    public init(
        jobName: String, scrapeInterval: PromDuration = GlobalConfig.defaultScrapeInterval,
        scrapeTimeout: PromDuration = GlobalConfig.defaultScrapeTimeout, metricsPath: String = "/metrics",
        scheme: URLScheme = .http, honorLabels: Bool = false, honorTimestamps: Bool = true,
        trackTimestampsStaleness: Bool = false, enableCompression: Bool = true,
        http: HTTPClientConfig = HTTPClientConfig(), staticConfigs: [TargetGroup] = [],
        fileSDConfigs: [FileSDConfig] = [], relabelConfigs: [RelabelConfig] = [],
        metricRelabelConfigs: [RelabelConfig] = [], limits: ScrapeLimits = ScrapeLimits()
    ) {
        self.jobName = jobName
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.metricsPath = metricsPath
        self.scheme = scheme
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.trackTimestampsStaleness = trackTimestampsStaleness
        self.enableCompression = enableCompression
        self.http = http
        self.staticConfigs = staticConfigs
        self.fileSDConfigs = fileSDConfigs
        self.relabelConfigs = relabelConfigs
        self.metricRelabelConfigs = metricRelabelConfigs
        self.limits = limits
    }

    /// The `Accept` header scrapes of this job send.
    public var acceptHeader: String {
        scrapeProtocols.map(ScrapeProtocol.acceptHeader) ?? ScrapeProtocol.defaultAcceptHeader
    }
}

/// One query parameter of `params` with its values, in order.
public struct QueryParameter: Sendable, Hashable {
    /// The parameter name.
    public var name: String
    /// Its values; a target's `__param_<name>` label replaces the first.
    public var values: [String]

    /// Creates a parameter.
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// The limits of a scrape config (each inherited from `global` when unset); 0 means no limit.
public struct ScrapeLimits: Sendable, Hashable {
    /// `body_size_limit` in bytes (uncompressed).
    public var bodySizeLimit: Int = 0
    /// `sample_limit`: samples per scrape after metric relabeling.
    public var sampleLimit: Int = 0
    /// `target_limit`: targets per job after relabeling.
    public var targetLimit: Int = 0
    /// `label_limit`: labels per series after metric relabeling.
    public var labelLimit: Int = 0
    /// `label_name_length_limit`, in bytes.
    public var labelNameLengthLimit: Int = 0
    /// `label_value_length_limit`, in bytes.
    public var labelValueLengthLimit: Int = 0
    /// `keep_dropped_targets`: how many dropped targets the API lists.
    public var keepDroppedTargets: Int = 0

    /// No limits.
    public init() {}

    /// Each limit of `self` that is 0 replaced by `global`'s.
    func inheriting(_ global: ScrapeLimits) -> ScrapeLimits {
        var result = self
        if result.bodySizeLimit == 0 { result.bodySizeLimit = global.bodySizeLimit }
        if result.sampleLimit == 0 { result.sampleLimit = global.sampleLimit }
        if result.targetLimit == 0 { result.targetLimit = global.targetLimit }
        if result.labelLimit == 0 { result.labelLimit = global.labelLimit }
        if result.labelNameLengthLimit == 0 { result.labelNameLengthLimit = global.labelNameLengthLimit }
        if result.labelValueLengthLimit == 0 { result.labelValueLengthLimit = global.labelValueLengthLimit }
        if result.keepDroppedTargets == 0 { result.keepDroppedTargets = global.keepDroppedTargets }
        return result
    }

    /// Reads the limit fields of a `global` or scrape config mapping.
    static func decode(_ mapping: ConfigMapping) throws(ConfigError) -> ScrapeLimits {
        var limits = ScrapeLimits()
        if let node = mapping.optional("body_size_limit") {
            let text = try node.string()
            guard let bytes = ByteSize.parse(text) else {
                throw node.error("expected a size like 10MB or 512KiB, got \(Labels.quote(text))")
            }
            limits.bodySizeLimit = bytes
        }
        limits.sampleLimit = try mapping.unsigned("sample_limit")
        limits.targetLimit = try mapping.unsigned("target_limit")
        limits.labelLimit = try mapping.unsigned("label_limit")
        limits.labelNameLengthLimit = try mapping.unsigned("label_name_length_limit")
        limits.labelValueLengthLimit = try mapping.unsigned("label_value_length_limit")
        limits.keepDroppedTargets = try mapping.unsigned("keep_dropped_targets")
        return limits
    }
}
