import Exposition
import Foundation
import Logging
import Synchronization

/// Where the probe's configuration comes from.
public enum ProbeConfigSource: Sendable {
    /// A YAML file, read again on every reload.
    case file(String)
    /// YAML text compiled into the binary (the embedded default), named in errors.
    case embedded(yaml: String, name: String)
}

/// The running probe: the live configuration, its scheduler task, and reload.
///
/// A reload parses and validates the new configuration completely before anything changes; a
/// bad one is rejected with its error and the running configuration keeps probing. Counters
/// survive reloads (Prometheus sees no reset); histogram buckets are fixed at start.
public final class ProbeRuntime: Sendable {
    /// The registry served at `/metrics`.
    public let registry: MetricRegistry
    /// The client every provider shares.
    public let client: ProbeHTTPClient
    private let source: ProbeConfigSource
    private let loader: ProbeConfigLoader
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var prober: Prober
        var scheduler: Task<Void, Never>?
        var reloads: Int = 0
    }

    /// Loads the configuration; throws its error (with file:line:col) if it is invalid.
    public init(source: ProbeConfigSource, registry: MetricRegistry, client: ProbeHTTPClient, logger: Logger,
                loader: ProbeConfigLoader = ProbeConfigLoader()) throws {
        self.source = source
        self.registry = registry
        self.client = client
        self.logger = logger
        self.loader = loader
        let config = try Self.load(source, loader: loader)
        let metrics = ProbeMetrics(registry: registry, config: config)
        state = Mutex(State(prober: Prober(config: config, metrics: metrics, client: client, logger: logger)))
    }

    /// The prober for the configuration in force.
    public var prober: Prober { state.withLock { $0.prober } }

    /// Starts probing on the schedules of the configuration in force.
    public func start() {
        state.withLock { state in
            state.scheduler?.cancel()
            let scheduler = ProbeScheduler(prober: state.prober, logger: logger)
            state.scheduler = Task { await scheduler.run() }
        }
        logger.info("probe started", metadata: ["config": "\(prober.config.source)", "models": "\(prober.config.models.count)"])
    }

    /// Stops probing (probes in flight are cancelled).
    public func stop() {
        state.withLock { state in
            state.scheduler?.cancel()
            state.scheduler = nil
        }
    }

    /// Re-reads the configuration; on success swaps it in and restarts the schedules,
    /// on failure throws and leaves the running configuration untouched.
    public func reload() throws {
        let config: ProbeConfig
        do {
            config = try Self.load(source, loader: loader)
        } catch {
            logger.error("reload rejected; the previous configuration keeps running", metadata: ["err": "\(error)"])
            throw error
        }
        let metrics = state.withLock { $0.prober.metrics }
        metrics.adopt(config)
        let wasRunning = state.withLock { state in
            state.prober = Prober(config: config, metrics: metrics, client: client, logger: logger)
            state.reloads += 1
            return state.scheduler != nil
        }
        if wasRunning { start() }
        logger.info("configuration reloaded", metadata: ["models": "\(config.models.count)"])
    }

    private static func load(_ source: ProbeConfigSource, loader: ProbeConfigLoader) throws -> ProbeConfig {
        switch source {
        case .file(let path): return try loader.load(path: path)
        case .embedded(let yaml, let name): return try loader.parse(yaml, file: name)
        }
    }
}
