import Config

/// A Prometheus `prometheus.yml`, as llmwatch runs it: scrape jobs, rule files, Alertmanagers,
/// external labels, remote write.
///
/// Load one with `PrometheusConfigLoader`. Everything Prometheus fills in at load is filled in
/// here too (intervals and limits inherited from `global`, relative paths resolved), so the
/// values can be used as they are.
public struct PrometheusConfiguration: Sendable, Hashable {
    /// `global`.
    public var global: GlobalConfig
    /// `rule_files`, as written and resolved against the file's directory.
    public var ruleFiles: [RuleFilePattern]
    /// `scrape_configs`, in file order; job names are unique.
    public var scrapeConfigs: [ScrapeConfig]
    /// `alerting`.
    public var alerting: AlertingConfig
    /// `remote_write`.
    public var remoteWrite: [RemoteWriteConfig]
    /// The file it was loaded from (as given to the loader), or the label given to `parse`.
    public var file: String

    /// An empty configuration: Prometheus's defaults, nothing scraped.
    public init(
        global: GlobalConfig = GlobalConfig(), ruleFiles: [RuleFilePattern] = [], scrapeConfigs: [ScrapeConfig] = [],
        alerting: AlertingConfig = AlertingConfig(), remoteWrite: [RemoteWriteConfig] = [], file: String = ""
    ) {
        self.global = global
        self.ruleFiles = ruleFiles
        self.scrapeConfigs = scrapeConfigs
        self.alerting = alerting
        self.remoteWrite = remoteWrite
        self.file = file
    }

    /// The scrape config of `job`, if there is one.
    public func scrapeConfig(job: String) -> ScrapeConfig? {
        scrapeConfigs.first { $0.jobName == job }
    }
}

/// One `rule_files` entry: a path or a glob whose `*` may only appear in the last element.
public struct RuleFilePattern: Sendable, Hashable, CustomStringConvertible {
    /// As written in the file.
    public var written: String
    /// Resolved against the directory of the configuration file.
    public var resolved: String

    /// Creates a pattern.
    public init(written: String, resolved: String) {
        self.written = written
        self.resolved = resolved
    }

    /// Whether the pattern is a glob rather than one file's path.
    public var isGlob: Bool { written.contains("*") }

    /// The pattern as written.
    public var description: String { written }
}
