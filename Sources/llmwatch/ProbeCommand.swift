import ArgumentParser
import Exposition
import Foundation
import Hummingbird
import Logging
import Probe
import ServiceLifecycle
import UnixSignals
import Web

/// `llmwatch probe`: calls models on their schedules and serves `/metrics` and `/probe`.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Call models on schedules and serve their health at /metrics.",
        discussion: "Without --config.file it runs the embedded simulated models (no keys, no network). "
            + "SIGHUP or POST /-/reload re-reads the configuration; a bad one is rejected and the old one keeps running."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let logger = makeLogger(options)
        let address = try ListenAddress(options.listenAddress)
        let source: ProbeConfigSource = options.configFile.map { .file($0) }
            ?? .embedded(yaml: EmbeddedDefaults.probeConfigYAML, name: EmbeddedDefaults.probeConfigName)
        let client = ProbeHTTPClient()
        let registry = MetricRegistry()
        registry.register(collector: ProcessMetricsCollector(version: LLMWatch.version))
        let runtime: ProbeRuntime
        do {
            runtime = try ProbeRuntime(source: source, registry: registry, client: client, logger: logger)
        } catch {
            await client.shutdown()
            logger.error("invalid configuration", metadata: ["err": "\(error)"])
            throw ExitCode(1)
        }
        let router = Router()
        ProbeRoutes(runtime: runtime, logger: logger).register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "llmwatch"),
            logger: logger)
        let services: [any Service] = [ServiceOnEventLoops(app), ProbeService(runtime: runtime), ReloadOnHangup(runtime: runtime)]
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped on error", metadata: ["err": "\(error)"])
        }
        await client.shutdown()
    }
}

/// Runs the scheduler for the life of the service group.
struct ProbeService: Service {
    let runtime: ProbeRuntime

    func run() async throws {
        runtime.start()
        try? await gracefulShutdown()
        runtime.stop()
    }
}

/// Re-reads the configuration on SIGHUP, as Prometheus does.
struct ReloadOnHangup: Service {
    let runtime: ProbeRuntime

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            try? runtime.reload()
        }
    }
}

/// A logger writing `--log.format` lines at `--log.level` to standard error.
func makeLogger(_ options: ServerOptions) -> Logger {
    makeLogger(level: options.logLevel, format: options.logFormat)
}

/// A logger writing `format` lines (logfmt or json) at `level` and above to standard error.
func makeLogger(level levelName: String, format formatName: String) -> Logger {
    let format = LogFormat(rawValue: formatName) ?? .logfmt
    let level = Logger.Level(prometheusName: levelName) ?? .info
    return Logger(label: "llmwatch") { label in
        StructuredLogHandler(logLevel: level, format: format, label: label)
    }
}
