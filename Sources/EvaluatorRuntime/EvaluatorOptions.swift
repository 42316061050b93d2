import Evaluator
import Foundation
import Web

/// How `llmwatch evaluate` (and `llmwatch run`) runs: what its flags say.
public struct EvaluatorOptions: Sendable {
    /// Where the Prometheus-format configuration comes from.
    public enum ConfigSource: Sendable {
        /// A `prometheus.yml`, read again on every reload.
        case file(String)
        /// Configuration text held in memory (the embedded default of `llmwatch run`), named in
        /// errors, with relative paths resolved against `directory`.
        case embedded(name: String, yaml: String, directory: String)
        /// No configuration: no scraping, no Alertmanagers, Prometheus's global defaults.
        case none
    }

    /// The configuration (`--config.file`).
    public var config: ConfigSource = .none
    /// Rule files besides the configuration's `rule_files` (`--rule.file`, globs allowed).
    public var ruleFiles: [String] = []
    /// Rule files held in memory (embedded defaults).
    public var embeddedRules: [RuleManager.Source] = []
    /// SLO specs whose rules are generated and evaluated (`--slo.file`).
    public var sloFiles: [String] = []
    /// SLO specs held in memory: name and YAML.
    public var embeddedSLOs: [(name: String, yaml: String)] = []
    /// The period of SLOs that set none, milliseconds.
    public var defaultSLOPeriod: Int64 = 30 * 86_400_000
    /// The store's directory (`--storage.path`).
    public var storagePath = "data/"
    /// How long samples are kept; nil keeps everything (`--storage.retention.time`).
    public var retention: Duration? = .seconds(15 * 86_400)
    /// The URL llmwatch is reached at (`--web.external-url`), for generator URLs and templates.
    public var externalURL = ""
    /// A Prometheus-compatible API rules query instead of the store (`--datasource.url`).
    public var datasourceURL: String?
    /// Headers (credentials, tenant) sent with every data-source query; never logged.
    public var datasourceHeaders: [String: String] = [:]
    /// Extra remote-write endpoints (`--remote-write.url`), besides the configuration's.
    public var remoteWriteURLs: [String] = []
    /// Alertmanagers besides the configuration's (`--notifier.url`).
    public var alertmanagerURLs: [String] = []
    /// Webhooks receiving Alertmanager-style payloads (`--notifier.webhook-url`).
    public var webhookURLs: [String] = []
    /// How often a firing alert is sent again (`--rules.alert.resend-delay`), milliseconds.
    public var resendDelay: Int64 = 60_000
    /// How far back `ALERTS_FOR_STATE` is read after a restart, milliseconds.
    public var outageTolerance: Int64 = 3_600_000
    /// The least time a restored alert waits before firing, milliseconds.
    public var gracePeriod: Int64 = 600_000
    /// Alerts each destination queues (`--alertmanager.notification-queue-capacity`).
    public var notificationQueueCapacity = 10_000
    /// Query limits and API facts.
    public var query = QueryOptions()
    /// Whether alert state changes are logged even when alerts go elsewhere.
    public var logAlerts = false
    /// Another part of the process reloaded with the evaluator (the probe, under `llmwatch
    /// run`), before it; its error fails the reload and leaves the evaluator as it was.
    public var alsoReload: (@Sendable () throws -> Void)?
    /// What `/api/v1/status/buildinfo` reports.
    public var buildInfo = PrometheusAPI.BuildInfo(version: "unknown")
    /// The flags `/api/v1/status/flags` reports, by name without dashes.
    public var flags: [String: String] = [:]

    /// Query limits (`--query.*`).
    public struct QueryOptions: Sendable {
        /// `--query.max-concurrency`.
        public var maxConcurrency = 20
        /// `--query.timeout`.
        public var timeout: Duration = .seconds(120)
        /// `--query.max-samples`.
        public var maxSamples = 50_000_000
        /// `--query.lookback-delta`, milliseconds.
        public var lookbackDelta: Int64 = 300_000

        /// Prometheus's defaults.
        public init() {}
    }

    /// The defaults.
    public init() {}
}
