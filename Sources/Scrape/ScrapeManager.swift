import Config
import Foundation
import Logging
import PrometheusConfig
import Series
import ServiceLifecycle
import Synchronization

/// Scrapes the targets of a `prometheus.yml`'s `scrape_configs` into a store: Prometheus's scrape
/// manager, as a swift-service-lifecycle `Service`.
///
/// - `apply(_:)` sets the scrape configs (at start and on every reload): pools of unchanged jobs
///   keep running untouched; changed jobs restart their loops under the new settings, keeping
///   each target's series state; removed jobs and targets stop and write stale markers.
/// - `run()` runs the loops; a graceful shutdown stops them, writes stale markers for every
///   series (unless `Options.staleMarkersOnShutdown` is off), shuts the HTTP clients down and returns.
/// - `activeTargets` and `droppedTargets` are what `/api/v1/targets` shows; `metrics` is a
///   collector for llmwatch's own `/metrics`.
public final class ScrapeManager: Service, Sendable {
    /// Settings that are not part of `prometheus.yml`.
    public struct Options: Sendable {
        /// The `User-Agent` of scrapes.
        public var userAgent = "llmwatch"
        /// Mixed into every target's scrape offset, so that two servers scraping the same targets
        /// do not scrape them at the same instant (Prometheus derives it from its external labels
        /// and host name; see `offsetSeed(externalLabels:hostname:)`).
        public var offsetSeed: UInt64 = 0
        /// How `globalUrl` is made from a target's URL; nil leaves it equal to the scrape URL.
        public var globalURL: GlobalURLOptions?
        /// Threads of their own for the CPU part of scrapes (parsing, relabeling, the store's
        /// append); 0 runs it on Swift's cooperative pool, which a large target then holds for the
        /// length of its processing (see docs/scrape.md for the measurements).
        public var scrapeThreads = 2
        /// Whether a stopping manager writes stale markers for every series (Prometheus does not,
        /// expecting to restart where it stopped).
        public var staleMarkersOnShutdown = true
        /// How often file_sd files are checked for changes.
        public var fileSDPollInterval: Duration = .seconds(1)

        /// The defaults.
        public init() {}
    }

    /// The manager's own counters, for llmwatch's `/metrics`.
    public let metrics = ScrapeMetrics()
    private let shared: ManagerShared
    private let jobs: AsyncStream<ScrapeJob>
    private let state = Mutex(State())

    private struct State {
        var pools: [String: ScrapePool] = [:]
        var order: [String] = []
        var running = false
        var shuttingDown = false
        var finished = false
        var retiredClients: [ScrapeClient] = []
    }

    /// A manager writing to `appender` (the TSDB `DB`, or any `SampleAppender`).
    public init(appender: any SampleAppender, options: Options = Options(), logger: Logger = Logger(label: "llmwatch.scrape")) {
        let (stream, continuation) = AsyncStream<ScrapeJob>.makeStream()
        jobs = stream
        shared = ManagerShared(
            appender: appender, metrics: metrics, executor: options.scrapeThreads > 0 ? ScrapeExecutor(threads: options.scrapeThreads) : nil,
            logger: logger, options: options, launcher: Launcher(continuation: continuation))
    }

    /// Prometheus's jitter seed: a hash of the external labels and the host name.
    public static func offsetSeed(externalLabels: Labels, hostname: String) -> UInt64 {
        ByteHash.fnv1a(externalLabels.bracedDescription, seed: ByteHash.fnv1a(hostname))
    }

    /// The host's fully qualified name as Prometheus finds it (`osutil.GetFQDN`): the host name,
    /// resolved, and the first name of its first IPv4 (else IPv6) address; the plain host name
    /// when either lookup fails.
    public static func fullyQualifiedHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return ProcessInfo.processInfo.hostName }
        let hostname = String(cString: buffer)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(hostname, nil, &hints, &result) == 0, let first = result else { return hostname }
        defer { freeaddrinfo(first) }
        var addresses: [UnsafeMutablePointer<addrinfo>] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            addresses.append(entry)
            next = entry.pointee.ai_next
        }
        let ordered = addresses.filter { $0.pointee.ai_family == AF_INET } + addresses.filter { $0.pointee.ai_family == AF_INET6 }
        for entry in ordered {
            var name = [CChar](repeating: 0, count: 1025)
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NAMEREQD) == 0 {
                let found = String(cString: name)
                return found.hasSuffix(".") ? String(found.dropLast()) : found
            }
        }
        return hostname
    }

    /// Scrapes the jobs of `configuration`.
    public func apply(_ configuration: PrometheusConfiguration) async {
        await apply(configuration.scrapeConfigs)
    }

    /// Scrapes exactly these jobs from now on. Returns once loops of removed or changed targets
    /// have stopped scraping (their stale markers follow two intervals later, as in Prometheus).
    public func apply(_ configs: [ScrapeConfig]) async {
        var stopping: [TargetLoop] = []
        var started: [ScrapePool] = []
        let running = state.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            let wanted = Set(configs.map(\.jobName))
            for job in state.order where !wanted.contains(job) {
                if let pool = state.pools.removeValue(forKey: job) {
                    stopping += pool.stop(.removed)
                }
            }
            for config in configs {
                if let pool = state.pools[config.jobName] {
                    if pool.config != config { stopping += pool.reload(config) }
                } else {
                    let pool = ScrapePool(config: config, shared: shared)
                    state.pools[config.jobName] = pool
                    started.append(pool)
                }
            }
            state.order = configs.map(\.jobName)
            return state.running
        }
        for pool in started { pool.start() }
        if running {
            for loop in stopping { await loop.stoppedScraping.wait() }
        }
    }

    /// The jobs being scraped, in config order.
    public var scrapePools: [String] { state.withLock { $0.order } }

    /// Every active target, by job (in config order) then URL.
    public var activeTargets: [ActiveTarget] {
        let pools = state.withLock { state in state.order.compactMap { state.pools[$0] } }
        return pools.flatMap { $0.activeTargets(globalURL: shared.options.globalURL) }
    }

    /// The active targets of one job.
    public func activeTargets(job: String) -> [ActiveTarget] {
        state.withLock { $0.pools[job] }?.activeTargets(globalURL: shared.options.globalURL) ?? []
    }

    /// Every target relabeling dropped, by job.
    public var droppedTargets: [DroppedTarget] {
        let pools = state.withLock { state in state.order.compactMap { state.pools[$0] } }
        return pools.flatMap(\.droppedTargets)
    }

    /// Runs the scrape loops until a graceful shutdown (or cancellation), then stops them
    /// (writing stale markers) and shuts the HTTP clients down.
    public func run() async throws {
        let alreadyRunning = state.withLock { state -> Bool in
            defer { state.running = true }
            return state.running || state.finished
        }
        guard !alreadyRunning else { return }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await job() }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        if !state.withLock({ $0.shuttingDown }) {
            // Cancelled rather than shut down gracefully: the loops saw the cancellation as a shutdown.
            beginShutdown()
        }
        let clients = state.withLock { state -> [ScrapeClient] in
            state.finished = true
            state.running = false
            return state.pools.values.map(\.client) + state.retiredClients
        }
        for client in clients { await client.shutdown() }
        shared.executor?.shutdown()
    }

    /// Stops every pool; the job stream ends once their loops have written their stale markers.
    private func beginShutdown() {
        let (pools, first) = state.withLock { state -> ([ScrapePool], Bool) in
            defer { state.shuttingDown = true }
            return (Array(state.pools.values), !state.shuttingDown)
        }
        guard first else { return }
        let loops = pools.flatMap { $0.stop(.shutdown) }
        let launcher = shared.launcher
        launcher.launch {
            for loop in loops { await loop.finished.wait() }
            launcher.continuation.finish()
        }
    }
}
