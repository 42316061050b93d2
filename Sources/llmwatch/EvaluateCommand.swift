import ArgumentParser
import Config
import Exposition
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TSDB
import Web

/// `llmwatch evaluate`: keeps the time-series store and serves Prometheus's query API over it.
///
/// Today it opens the store, maintains it (WAL syncs, checkpoints, retention) and serves
/// `/api/v1/*`, `/metrics`, `/-/healthy` and `/-/ready`; scraping, rules and the notifier plug
/// into the same service group. SIGTERM or SIGINT stop it gracefully: the HTTP server first, then
/// maintenance, then the store is closed with its WAL flushed.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Keep a time-series store and serve Prometheus's query API over it.",
        discussion:
            "Flags are spelled as Prometheus spells them. Backfill history with `llmwatch tsdb import openmetrics`."
    )

    @Option(name: .customLong("storage.path"), help: "Base path for the time-series store.")
    var storagePath = "data/"

    @Option(
        name: .customLong("storage.retention.time"),
        help:
            "How long to keep samples, measured back from the newest (a Prometheus duration such as 15d; 0 keeps everything)."
    )
    var retentionTime = "15d"

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on, host:port or :port.")
    var listenAddress = ":9479"

    @Option(name: .customLong("query.max-concurrency"), help: "Maximum number of queries evaluated at once.")
    var maxConcurrency = 20

    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take before being aborted.")
    var queryTimeout = "2m"

    @Option(
        name: .customLong("query.max-samples"), help: "Maximum number of samples a single query may hold in memory.")
    var maxSamples = 50_000_000

    @Option(name: .customLong("query.lookback-delta"), help: "How far back an instant selector looks for a sample.")
    var lookbackDelta = "5m"

    @Option(
        name: .customLong("log.level"),
        help: "Only log messages with the given severity or above: debug, info, warn, error.")
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
        _ = try Self.duration(retentionTime, flag: "storage.retention.time")
        _ = try Self.duration(queryTimeout, flag: "query.timeout")
        _ = try Self.duration(lookbackDelta, flag: "query.lookback-delta")
        guard maxConcurrency >= 1 else { throw ValidationError("--query.max-concurrency must be at least 1") }
        guard maxSamples >= 1 else { throw ValidationError("--query.max-samples must be at least 1") }
    }

    func run() async throws {
        let logger = makeLogger(level: logLevel, format: logFormat)
        let address = try ListenAddress(listenAddress)
        let retention = try Self.duration(retentionTime, flag: "storage.retention.time")
        var storeOptions = DB.Options(retention: retention.milliseconds > 0 ? retention.duration : nil)
        storeOptions.warn = { logger.warning("\($0)") }
        let db: DB
        do {
            db = try DB(path: storagePath, options: storeOptions)
        } catch {
            logger.error("cannot open the time-series store", metadata: ["path": "\(storagePath)", "err": "\(error)"])
            throw ExitCode(1)
        }
        let stats = db.stats
        logger.info(
            "time-series store opened",
            metadata: [
                "path": "\(storagePath)", "series": "\(stats.series)", "samples": "\(stats.samples)",
                "retention": "\(retention)",
            ])

        let registry = MetricRegistry()
        registry.register(collector: ProcessMetricsCollector(version: LLMWatch.version))
        registry.register(collector: TSDBMetricsCollector(db: db))
        let api = PrometheusAPI(
            db: db, options: try apiOptions(), metrics: QueryMetrics(registry: registry, maxConcurrency: maxConcurrency)
        )
        let router = Router()
        PrometheusAPIRoutes(api: api).register(on: router)
        EvaluatorRoutes(registry: registry).register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "llmwatch"),
            logger: logger)

        // A service group stops its services in reverse order: the HTTP server first, then maintenance.
        let services: [any Service] = [StoreMaintenance(db: db), app]
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        var failed = false
        do {
            try await group.run()
        } catch {
            logger.error("stopped on error", metadata: ["err": "\(error)"])
            failed = true
        }
        do {
            try db.close()
            logger.info("time-series store closed", metadata: ["path": "\(storagePath)"])
        } catch {
            logger.error("closing the time-series store failed", metadata: ["err": "\(error)"])
            failed = true
        }
        if failed { throw ExitCode(1) }
    }

    private func apiOptions() throws -> PrometheusAPI.Options {
        var options = PrometheusAPI.Options()
        options.maxConcurrency = maxConcurrency
        options.timeout = try Self.duration(queryTimeout, flag: "query.timeout").duration
        options.maxSamples = maxSamples
        options.lookbackDelta = try Self.duration(lookbackDelta, flag: "query.lookback-delta").milliseconds
        options.buildInfo = PrometheusAPI.BuildInfo(
            version: LLMWatch.version, revision: "", branch: "", buildUser: "", buildDate: "",
            goVersion: "swift" + ProcessMetricsCollector.swiftVersion)
        options.storageRetention = retentionTime
        options.flags = [
            "storage.path": storagePath, "storage.retention.time": retentionTime, "web.listen-address": listenAddress,
            "query.max-concurrency": String(maxConcurrency), "query.timeout": queryTimeout,
            "query.max-samples": String(maxSamples), "query.lookback-delta": lookbackDelta, "log.level": logLevel,
            "log.format": logFormat,
        ]
        return options
    }

    static func duration(_ text: String, flag: String) throws -> PromDuration {
        do {
            return try PromDuration.parse(text)
        } catch {
            throw ValidationError("--\(flag) \"\(text)\": \(error)")
        }
    }
}

/// Runs the store's maintenance (WAL syncs, checkpoints, retention) until graceful shutdown.
struct StoreMaintenance: Service {
    let db: DB

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await db.run()
        }
    }
}
