/// The type, help and unit of a metric as its targets declared them (`# TYPE`, `# HELP`,
/// `# UNIT`), served by `/api/v1/metadata`.
public struct MetricMetadata: Sendable, Hashable {
    /// The declared type as Prometheus spells it: `counter`, `gauge`, `histogram`, `summary`,
    /// `gaugehistogram`, `info`, `stateset` or `unknown`.
    public var type: String
    /// The help text.
    public var help: String
    /// The unit, or the empty string.
    public var unit: String

    /// Creates metadata.
    public init(type: String, help: String, unit: String = "") {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// Where `/api/v1/metadata` finds metric metadata: the scraper keeps what its targets declared
/// and conforms (Prometheus's `MetadataList` over its scrape pools).
public protocol MetricMetadataSource: Sendable {
    /// Every distinct metadata entry seen for each metric family name, in the order the
    /// source prefers (the API keeps that order when it applies `limit_per_metric`).
    func metadata() -> [String: [MetricMetadata]]
}

/// A source with no metadata: what the API serves until a scraper is plugged in.
public struct NoMetricMetadata: MetricMetadataSource {
    /// Creates the empty source.
    public init() {}

    /// No metadata at all.
    public func metadata() -> [String: [MetricMetadata]] { [:] }
}
