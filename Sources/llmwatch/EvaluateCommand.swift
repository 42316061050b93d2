import ArgumentParser
import Config
import EvaluatorRuntime
import Exposition
import Foundation
import Hummingbird
import Logging
import PrometheusConfig
import ServiceLifecycle
import UnixSignals
import Web

/// `llmwatch evaluate`: scrapes the targets of a `prometheus.yml` into the embedded store (or
/// queries a Prometheus-compatible API), evaluates its rules and SLOs, sends alerts to
/// Alertmanager, and serves Prometheus's HTTP API and the web page.
///
/// SIGHUP or `POST /-/reload` re-reads the configuration, the rule files and the SLO specs; a
/// bad one is rejected and the running ones stay. SIGTERM or SIGINT stop gracefully: the HTTP
/// server first, then scraping and rules, then the notifier drains, then the store is closed
/// with its WAL flushed.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Scrape, store, evaluate rules and SLOs, notify Alertmanager, serve the Prometheus API.",
        discussion: "Flags are spelled as Prometheus (and, for the data source and notifier URLs, vmalert) spells them."
    )

    @OptionGroup var evaluator: EvaluatorFlags

    func run() async throws {
        let logger = makeLogger(level: evaluator.logLevel, format: evaluator.logFormat)
        let options = try evaluator.options(config: evaluator.configFile.map { .file($0) } ?? .none)
        let registry = MetricRegistry()
        registry.register(collector: ProcessMetricsCollector(version: LLMWatch.version))
        try await serveEvaluator(options: options, flags: evaluator, registry: registry, logger: logger) { _ in }
    }
}

/// Starts the evaluator runtime on `flags.listenAddress` and runs it until SIGTERM/SIGINT;
/// `extra` adds routes and services (the probe, in `llmwatch run`).
func serveEvaluator(
    options: EvaluatorOptions, flags: EvaluatorFlags, registry: MetricRegistry, logger: Logger,
    extraServices: [any Service] = [], extra: (Router<BasicRequestContext>) -> Void
) async throws {
    let address = try ListenAddress(flags.listenAddress)
    let runtime: EvaluatorRuntime
    do {
        runtime = try await EvaluatorRuntime(options: options, registry: registry, logger: logger)
    } catch {
        logger.error("cannot start", metadata: ["err": "\(error)"])
        throw ExitCode(1)
    }
    let stats = runtime.db.stats
    logger.info(
        "time-series store opened",
        metadata: ["path": "\(options.storagePath)", "series": "\(stats.series)", "samples": "\(stats.samples)"])
    let router = Router()
    extra(router)
    runtime.register(on: router)
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(address.host, port: address.port), serverName: "llmwatch"),
        logger: logger)
    let services = runtime.services(http: ServiceOnEventLoops(app)) + extraServices + [ReloadEvaluatorOnHangup(runtime: runtime, logger: logger)]
    let group = ServiceGroup(
        configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    var failed = false
    do {
        try await group.run()
    } catch {
        logger.error("stopped on error", metadata: ["err": "\(error)"])
        failed = true
    }
    do {
        try await runtime.close()
        logger.info("time-series store closed", metadata: ["path": "\(options.storagePath)"])
    } catch {
        logger.error("closing the time-series store failed", metadata: ["err": "\(error)"])
        failed = true
    }
    if failed { throw ExitCode(1) }
}

/// Re-reads the evaluator's configuration on SIGHUP, as Prometheus does.
struct ReloadEvaluatorOnHangup: Service {
    let runtime: EvaluatorRuntime
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            if let failure = await runtime.reload() as String? {
                logger.error("SIGHUP reload rejected", metadata: ["err": "\(failure)"])
            }
        }
    }
}

/// The evaluator's flags, shared by `evaluate` and `run`.
struct EvaluatorFlags: ParsableArguments {
    @Option(name: .customLong("config.file"), help: "A prometheus.yml: scrape_configs, rule_files, alerting, remote_write.")
    var configFile: String?

    @Option(name: .customLong("rule.file"), help: "A rule file (glob allowed) besides the configuration's rule_files (repeatable).")
    var ruleFiles: [String] = []

    @Option(name: .customLong("slo.file"), help: "An SLO spec (Sloth prometheus/v1 or slo-config) whose rules are evaluated (repeatable).")
    var sloFiles: [String] = []

    @Option(name: .customLong("storage.path"), help: "Base path for the time-series store.")
    var storagePath = "data/"

    @Option(
        name: .customLong("storage.retention.time"),
        help: "How long to keep samples, measured back from the newest (a Prometheus duration such as 15d; 0 keeps everything).")
    var retentionTime = "15d"

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on, host:port or :port.")
    var listenAddress = ":9479"

    @Option(name: .customLong("web.external-url"), help: "The URL llmwatch is reached at, for alerts' links (default http://<hostname>:<port>).")
    var externalURL: String?

    @Option(name: .customLong("datasource.url"), help: "Evaluate rules against this Prometheus-compatible API instead of the store.")
    var datasourceURL: String?

    @Option(
        name: .customLong("datasource.header"),
        help: "A header sent with every --datasource.url query, 'Name: value', such as 'X-Scope-OrgID: team' (repeatable).")
    var datasourceHeaders: [String] = []

    @Option(
        name: .customLong("datasource.bearer-token-file"),
        help: "A file holding the bearer token for --datasource.url (read at start).")
    var datasourceBearerTokenFile: String?

    @Option(name: .customLong("datasource.basic-auth.username"), help: "The basic-auth user for --datasource.url.")
    var datasourceUsername: String?

    @Option(
        name: .customLong("datasource.basic-auth.password-file"),
        help: "A file holding the basic-auth password for --datasource.url (read at start).")
    var datasourcePasswordFile: String?

    @Option(name: .customLong("remote-write.url"), help: "Also send everything stored to this remote-write endpoint (repeatable).")
    var remoteWriteURLs: [String] = []

    @Option(name: .customLong("notifier.url"), help: "An Alertmanager to send alerts to, besides the configuration's (repeatable).")
    var alertmanagerURLs: [String] = []

    @Option(name: .customLong("notifier.webhook-url"), help: "A webhook that receives Alertmanager-style payloads (repeatable).")
    var webhookURLs: [String] = []

    @Option(name: .customLong("rules.alert.resend-delay"), help: "How often a firing alert is sent again.")
    var resendDelay = "1m"

    @Option(name: .customLong("rules.alert.for-outage-tolerance"), help: "How long llmwatch may be down and still restore alert state.")
    var outageTolerance = "1h"

    @Option(name: .customLong("rules.alert.for-grace-period"), help: "The least time a restored alert waits before firing.")
    var gracePeriod = "10m"

    @Option(name: .customLong("alertmanager.notification-queue-capacity"), help: "Alerts queued per destination.")
    var queueCapacity = 10_000

    @Option(name: .customLong("query.max-concurrency"), help: "Maximum number of queries evaluated at once.")
    var maxConcurrency = 20

    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take before being aborted.")
    var queryTimeout = "2m"

    @Option(name: .customLong("query.max-samples"), help: "Maximum number of samples a single query may hold in memory.")
    var maxSamples = 50_000_000

    @Option(name: .customLong("query.lookback-delta"), help: "How far back an instant selector looks for a sample.")
    var lookbackDelta = "5m"

    @Option(name: .customLong("log.level"), help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt or json.")
    var logFormat = "logfmt"

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log.format must be logfmt or json, not \"\(logFormat)\"")
        }
        guard Logger.Level(prometheusName: logLevel) != nil else {
            throw ValidationError("--log.level must be debug, info, warn or error, not \"\(logLevel)\"")
        }
        _ = try ListenAddress(listenAddress)
        for (text, flag) in [
            (retentionTime, "storage.retention.time"), (queryTimeout, "query.timeout"),
            (lookbackDelta, "query.lookback-delta"), (resendDelay, "rules.alert.resend-delay"),
            (outageTolerance, "rules.alert.for-outage-tolerance"), (gracePeriod, "rules.alert.for-grace-period"),
        ] {
            _ = try Self.duration(text, flag: flag)
        }
        guard maxConcurrency >= 1 else { throw ValidationError("--query.max-concurrency must be at least 1") }
        guard maxSamples >= 1 else { throw ValidationError("--query.max-samples must be at least 1") }
        for url in [datasourceURL].compactMap({ $0 }) + remoteWriteURLs + alertmanagerURLs + webhookURLs {
            guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
                throw ValidationError("\"\(url)\" is not an http(s) URL")
            }
        }
    }

    /// The runtime's options for these flags, reading configuration from `config`.
    func options(config: EvaluatorOptions.ConfigSource) throws -> EvaluatorOptions {
        var options = EvaluatorOptions()
        options.config = config
        options.ruleFiles = ruleFiles
        options.sloFiles = sloFiles
        options.storagePath = storagePath
        let retention = try Self.duration(retentionTime, flag: "storage.retention.time")
        options.retention = retention.milliseconds > 0 ? retention.duration : nil
        let address = try ListenAddress(listenAddress)
        let host = address.host == "0.0.0.0" || address.host == "::" ? ProcessInfo.processInfo.hostName : address.host
        var external = externalURL ?? "http://\(host):\(address.port)"
        while external.hasSuffix("/") { external.removeLast() }
        options.externalURL = external
        options.datasourceURL = datasourceURL
        options.datasourceHeaders = try datasourceRequestHeaders()
        options.remoteWriteURLs = remoteWriteURLs
        options.alertmanagerURLs = alertmanagerURLs
        options.webhookURLs = webhookURLs
        options.resendDelay = try Self.duration(resendDelay, flag: "rules.alert.resend-delay").milliseconds
        options.outageTolerance = try Self.duration(outageTolerance, flag: "rules.alert.for-outage-tolerance").milliseconds
        options.gracePeriod = try Self.duration(gracePeriod, flag: "rules.alert.for-grace-period").milliseconds
        options.notificationQueueCapacity = queueCapacity
        options.query.maxConcurrency = maxConcurrency
        options.query.timeout = try Self.duration(queryTimeout, flag: "query.timeout").duration
        options.query.maxSamples = maxSamples
        options.query.lookbackDelta = try Self.duration(lookbackDelta, flag: "query.lookback-delta").milliseconds
        options.buildInfo = PrometheusAPI.BuildInfo(
            version: LLMWatch.version, goVersion: "swift" + ProcessMetricsCollector.swiftVersion)
        options.flags = [
            "config.file": configFile ?? "", "storage.path": storagePath, "storage.retention.time": retentionTime,
            "web.listen-address": listenAddress, "web.external-url": external, "query.max-concurrency": String(maxConcurrency),
            "query.timeout": queryTimeout, "query.max-samples": String(maxSamples), "query.lookback-delta": lookbackDelta,
            "rules.alert.resend-delay": resendDelay, "rules.alert.for-outage-tolerance": outageTolerance,
            "rules.alert.for-grace-period": gracePeriod, "log.level": logLevel, "log.format": logFormat,
        ]
        return options
    }

    /// The headers every data-source query carries: `--datasource.header`s, then the
    /// credentials from their files. Values are never logged nor shown in `/api/v1/status/flags`.
    func datasourceRequestHeaders() throws -> [String: String] {
        var headers: [String: String] = [:]
        for header in datasourceHeaders {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw ValidationError("--datasource.header must be 'Name: value', not \"\(header.prefix { $0 != ":" })...\"")
            }
            headers[String(header[..<colon])] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if datasourceBearerTokenFile != nil && datasourceUsername != nil {
            throw ValidationError("--datasource.bearer-token-file and --datasource.basic-auth.username exclude each other")
        }
        let credentials = HTTPClientConfig(
            basicAuth: datasourceUsername.map { BasicAuth(username: $0, passwordFile: datasourcePasswordFile) },
            authorization: datasourceBearerTokenFile.map { Authorization(credentials: .file($0)) })
        do {
            if let authorization = try credentials.authorizationHeader() { headers["Authorization"] = authorization }
        } catch {
            throw ValidationError("--datasource credentials: \(error)")
        }
        return headers
    }

    static func duration(_ text: String, flag: String) throws -> PromDuration {
        do {
            return try PromDuration.parse(text)
        } catch {
            throw ValidationError("--\(flag) \"\(text)\": \(error)")
        }
    }
}
