import AsyncHTTPClient
import Config
import Evaluator
import Exposition
import Foundation
import Hummingbird
import Logging
import NIOSSL
import Notifier
import PromQL
import PrometheusConfig
import RemoteQuery
import RemoteWrite
import SLO
import Scrape
import Series
import ServiceLifecycle
import Synchronization
import TSDB
import Web

/// The evaluator assembled: the store, the scraper, the rules, the notifier, remote write and
/// the HTTP surface, wired as `prometheus.yml` and the flags say, and reloaded together.
///
/// A reload reads the configuration, the rule files and the SLO specs again and applies them
/// only if all of them are valid; otherwise the running ones stay and the error (with
/// `file:line:col`) is returned.
public final class EvaluatorRuntime: Sendable {
    /// Why the evaluator cannot start or reload.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What, where, and what to do.
        public let description: String
    }

    /// The store.
    public let db: DB
    /// The registry served at `/metrics`.
    public let registry: MetricRegistry
    /// The query API over the store.
    public let api: PrometheusAPI
    let options: EvaluatorOptions
    let logger: Logger
    let client: HTTPClient
    let scrape: ScrapeManager
    let rules: RuleManager
    let notifier: Notifier
    let remoteWriters: [RemoteWriteQueue]
    /// The clients of remote-write endpoints with a `tls_config` of their own.
    private let remoteWriteClients: [HTTPClient]
    let sloExport = SLOExport()
    let ruleMetrics = RuleGroupMetrics()
    let engine: PromQLEngine
    let remote: PrometheusAPIClient?
    private let current = Mutex<PrometheusConfiguration?>(nil)

    /// Opens the store and loads everything; throws the first problem found.
    public init(options: EvaluatorOptions, registry: MetricRegistry, logger: Logger) async throws {
        self.options = options
        self.registry = registry
        self.logger = logger
        var storeOptions = DB.Options(retention: options.retention)
        storeOptions.warn = { logger.warning("\($0)") }
        do {
            db = try DB(path: options.storagePath, options: storeOptions)
        } catch {
            throw Failure(description: "cannot open the time-series store at \(options.storagePath): \(error)")
        }
        registry.register(collector: TSDBMetricsCollector(db: db))
        registry.register(collector: sloExport)
        registry.register(collector: ruleMetrics)

        var apiOptions = PrometheusAPI.Options()
        apiOptions.maxConcurrency = options.query.maxConcurrency
        apiOptions.timeout = options.query.timeout
        apiOptions.maxSamples = options.query.maxSamples
        apiOptions.lookbackDelta = options.query.lookbackDelta
        apiOptions.buildInfo = options.buildInfo
        apiOptions.flags = options.flags
        apiOptions.storageRetention = options.retention.map { PromQL.Formatting.duration(Int64($0.components.seconds) * 1000) } ?? "0s"
        engine = PromQLEngine(
            lookbackDelta: options.query.lookbackDelta, maxSamples: options.query.maxSamples,
            timeout: options.query.timeout)
        let config: PrometheusConfiguration
        let remoteWriteTLS: [String: NIOSSL.TLSConfiguration]
        do {
            config = try Self.loadConfig(options.config)
            remoteWriteTLS = try Self.remoteWriteTLS(config)
        } catch {
            try? db.close()
            throw error
        }
        // Made once nothing before can fail: a client must be shut down before it goes away.
        client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5))))
        var scrapeOptions = ScrapeManager.Options()
        scrapeOptions.userAgent = "llmwatch"
        scrapeOptions.offsetSeed = ScrapeManager.offsetSeed(
            externalLabels: config.global.externalLabels, hostname: ScrapeManager.fullyQualifiedHostname())
        api = PrometheusAPI(
            db: db, options: apiOptions,
            metrics: QueryMetrics(registry: registry, maxConcurrency: options.query.maxConcurrency))
        registry.register(collector: ConfigReloadMetrics(status: api.configStatus))

        var writers: [RemoteWriteQueue] = []
        var ownClients: [HTTPClient] = []
        for url in options.remoteWriteURLs {
            writers.append(RemoteWriteQueue(options: .init(url: url), client: client, registry: registry, logger: logger))
        }
        for remoteWrite in config.remoteWrite {
            var writeOptions = RemoteWriteQueue.Options(url: remoteWrite.url)
            writeOptions.timeout = remoteWrite.remoteTimeout.duration
            writeOptions.headers = remoteWrite.headers
            do {
                if let authorization = try remoteWrite.http.authorizationHeader() {
                    writeOptions.headers["Authorization"] = authorization
                }
            } catch {
                logger.error(
                    "remote write credentials cannot be read; sending without them",
                    metadata: ["url": "\(remoteWrite.url)", "err": "\(error)"])
            }
            writeOptions.maxSamplesPerSend = remoteWrite.queue.maxSamplesPerSend
            writeOptions.relabel = Self.remoteWriteRelabeling(
                externalLabels: config.global.externalLabels, configs: remoteWrite.writeRelabelConfigs)
            var writeClient = client
            if let tls = remoteWriteTLS[remoteWrite.url] {
                let connection = ClientConnection(tls, of: remoteWrite.http.tls, to: remoteWrite.url)
                writeOptions.requestURL = connection.requestURL
                writeClient = connection.makeClient()
                ownClients.append(writeClient)
            }
            writers.append(RemoteWriteQueue(options: writeOptions, client: writeClient, registry: registry, logger: logger))
        }
        remoteWriters = writers
        remoteWriteClients = ownClients
        let appender: any SampleAppender = writers.isEmpty ? db : TeeAppender(primary: db, copies: writers)
        scrape = ScrapeManager(appender: appender, options: scrapeOptions, logger: logger)
        registry.register(collector: scrape.metrics)

        var notifierOptions = Notifier.Options()
        notifierOptions.queueCapacity = options.notificationQueueCapacity
        notifierOptions.userAgent = "llmwatch"
        notifierOptions.externalURL = options.externalURL
        notifierOptions.logAlerts = options.logAlerts
        notifier = Notifier(options: notifierOptions, client: client, registry: registry, logger: logger)

        let client = self.client
        remote = options.datasourceURL.map {
            PrometheusAPIClient(baseURL: $0, client: client, headers: options.datasourceHeaders)
        }
        rules = RuleManager(options: Self.ruleOptions(config, options), restoreFrom: db)
        do {
            try await apply(config)
        } catch {
            try? db.close()
            try? await client.shutdown()
            for own in remoteWriteClients { try? await own.shutdown() }
            throw error
        }
        let engine: any QueryEngine =
            remote.map { RemoteQueryEngine(client: $0) }
            ?? ExecutorQueryEngine(engine: self.engine, source: db, executor: api.executor)
        let sloExport = self.sloExport
        let ruleMetrics = self.ruleMetrics
        let notifier = self.notifier
        let externalURL = options.externalURL
        await rules.start(engine: engine, appender: appender) { report in
            ruleMetrics.record(report)
            sloExport.record(report)
            var alerts: [PostableAlert] = []
            for (rule, result) in zip(report.evaluator.group.rules, report.results) {
                alerts += result.alertsToSend.map { $0.postable(expr: rule.expr, externalURL: externalURL) }
            }
            if !alerts.isEmpty { await notifier.send(alerts, at: report.time) }
        }
    }

    /// The long-running parts, in start order (a service group stops them in reverse: the HTTP
    /// server first, store maintenance last).
    public func services(http: any Service) -> [any Service] {
        [StoreService(db: db)] + remoteWriters.map { $0 as any Service }
            + [notifier, RuleService(rules: rules), scrape, http]
    }

    /// Re-reads the configuration, rules and SLO specs; applies them all, or none.
    /// Records the outcome for `/api/v1/status/runtimeinfo` and
    /// `llmwatch_config_last_reload_successful`.
    public func reload() async throws {
        do {
            try options.alsoReload?()
            try await apply(try Self.loadConfig(options.config))
        } catch {
            api.configStatus.record(success: false)
            throw error
        }
        api.configStatus.record(success: true)
        logger.info("configuration reloaded")
    }

    /// Closes the store (flushing the WAL) and the HTTP clients; call after the services stopped.
    public func close() async throws {
        try? await client.shutdown()
        for own in remoteWriteClients { try? await own.shutdown() }
        try db.close()
    }

    /// Adds the evaluator's routes: the query API, the status API, the pages, `/metrics`,
    /// `/-/healthy`, `/-/ready` and `/-/reload`.
    public func register(on router: Router<some RequestContext>) {
        PrometheusAPIRoutes(api: api).register(on: router)
        EvaluatorRoutes(registry: registry).register(on: router)
        EvaluatorStatusRoutes(provider: self).register(on: router)
    }

    // MARK: Loading

    /// The TLS settings of each remote-write endpoint with a `tls_config`, by URL; throws when
    /// its files cannot be used.
    static func remoteWriteTLS(_ config: PrometheusConfiguration) throws -> [String: NIOSSL.TLSConfiguration] {
        var settings: [String: NIOSSL.TLSConfiguration] = [:]
        for remoteWrite in config.remoteWrite where remoteWrite.http.tls != TLSConfig() {
            do {
                settings[remoteWrite.url] = try remoteWrite.http.tls.clientConfiguration()
            } catch {
                throw Failure(description: "remote_write \(remoteWrite.url) tls_config: \(error)")
            }
        }
        return settings
    }

    static func loadConfig(_ source: EvaluatorOptions.ConfigSource) throws -> PrometheusConfiguration {
        let loader = PrometheusConfigLoader()
        do {
            switch source {
            case .file(let path): return try loader.load(path: path)
            case .embedded(let name, let yaml, let directory): return try loader.parse(yaml, file: name, directory: directory)
            case .none: return try loader.parse("", file: "<no configuration>")
            }
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// What a remote-write queue does to each series' labels, as Prometheus's queue manager:
    /// external labels the series lacks are added, then `write_relabel_configs` run; nil when
    /// there is nothing to do.
    static func remoteWriteRelabeling(
        externalLabels: Labels, configs: [RelabelConfig]
    ) -> (@Sendable (Labels) -> Labels?)? {
        if externalLabels.isEmpty && configs.isEmpty { return nil }
        return { labels in
            var builder = LabelBuilder(labels)
            for label in externalLabels where builder.get(label.name).isEmpty {
                builder.set(label.name, label.value)
            }
            return Relabeling.process(&builder, configs) ? builder.labels : nil
        }
    }

    static func ruleOptions(_ config: PrometheusConfiguration, _ options: EvaluatorOptions) -> RuleManager.Options {
        var ruleOptions = RuleManager.Options()
        ruleOptions.defaultInterval = config.global.evaluationInterval.milliseconds
        ruleOptions.defaultQueryOffset = config.global.ruleQueryOffset.milliseconds
        ruleOptions.externalLabels = Dictionary(config.global.externalLabels.map { ($0.name, $0.value) }) { $1 }
        ruleOptions.externalURL = options.externalURL
        ruleOptions.resendDelay = options.resendDelay
        ruleOptions.outageTolerance = options.outageTolerance
        ruleOptions.gracePeriod = options.gracePeriod
        return ruleOptions
    }

    /// The rule files of `config` and the flags, and the rules generated from the SLO specs.
    func ruleSources(_ config: PrometheusConfiguration) throws -> [RuleManager.Source] {
        var sources: [RuleManager.Source] = []
        var seen = Set<String>()
        for pattern in config.ruleFiles.map(\.resolved) + options.ruleFiles {
            let files = pattern.contains("*") || pattern.contains("?") || pattern.contains("[")
                ? FileGlob.matches(pattern) : [pattern]
            for file in files.sorted() where seen.insert(file).inserted { sources.append(.file(file)) }
        }
        sources += options.embeddedRules
        let generator = SLORuleGenerator(generator: "llmwatch")
        var specs: [(name: String, file: SLOSpecFile)] = []
        do {
            for path in options.sloFiles {
                specs.append((path, try SLOSpecFile.load(path: path, defaultPeriod: options.defaultSLOPeriod)))
            }
            for embedded in options.embeddedSLOs {
                let root = try ConfigLoader.parse(embedded.yaml, file: embedded.name, environment: [:])
                specs.append((embedded.name, try SLOSpecFile.parse(root, defaultPeriod: options.defaultSLOPeriod)))
            }
        } catch {
            throw Failure(description: "\(error)")
        }
        for (name, spec) in specs {
            for warning in spec.warnings { logger.warning("SLO spec", metadata: ["warning": "\(warning)"]) }
            do {
                sources.append(.text(name: "\(name) (generated SLO rules)", yaml: try generator.ruleFile(spec.service)))
            } catch {
                throw Failure(description: "\(name): \(error)")
            }
        }
        return sources
    }

    private func apply(_ config: PrometheusConfiguration) async throws {
        let sources = try ruleSources(config)
        let (configured, problems): ([HTTPDestination], [String])
        do {
            (configured, problems) = try AlertmanagerTargets.destinations(config.alerting)
        } catch {
            throw Failure(description: "alertmanager tls_config: \(error)")
        }
        await rules.setOptions(Self.ruleOptions(config, options))
        do {
            try await rules.load(sources)
        } catch {
            throw Failure(description: "\(error)")
        }
        let loaded = Set(await rules.statuses.map { $0.evaluator.group.file + ";" + $0.evaluator.group.name })
        ruleMetrics.keep(groups: loaded)
        sloExport.keep(groups: Set(await rules.statuses.map(\.evaluator.group.name)))
        await scrape.apply(config)
        for problem in problems { logger.warning("alertmanager discovery", metadata: ["err": "\(problem)"]) }
        let flagged = options.alertmanagerURLs.map { AlertmanagerTargets.destination(flag: $0, alertmanager: true) }
        await notifier.setAlertmanagers(configured + flagged)
        await notifier.setWebhooks(options.webhookURLs.map { AlertmanagerTargets.destination(flag: $0, alertmanager: false) })
        let relabelConfigs = config.alerting.alertRelabelConfigs
        let relabel: (@Sendable (Labels) -> Labels?)? =
            relabelConfigs.isEmpty ? nil : { @Sendable (labels: Labels) -> Labels? in Relabeling.process(labels, relabelConfigs) }
        await notifier.setRelabeling(externalLabels: config.global.externalLabels, relabel: relabel)
        current.withLock { $0 = config }
    }
}

/// The store's maintenance (WAL syncs, checkpoints, retention) until graceful shutdown.
struct StoreService: Service {
    let db: DB

    func run() async throws {
        await cancelWhenGracefulShutdown { await db.run() }
    }
}

/// The rule groups, evaluating from the start (the runtime starts them) until graceful
/// shutdown, when they stop after their evaluations in progress.
struct RuleService: Service {
    let rules: RuleManager

    func run() async throws {
        try? await gracefulShutdown()
        await rules.stop()
    }
}
