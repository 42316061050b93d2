import Config
import Logging
import PrometheusConfig
import Series
import Synchronization

/// The targets of one job and their loops: Prometheus's `scrapePool`.
///
/// Target groups come from `static_configs` and from each `file_sd_configs` entry; every update
/// rebuilds the target list (relabeling included) and starts loops for new targets, stops the
/// loops of targets that are gone (they write stale markers), and leaves the rest running.
final class ScrapePool: Sendable {
    let job: String
    private let shared: ManagerShared
    private let state: Mutex<State>

    private struct State {
        var context: LoopContext
        var loops: [UInt64: TargetLoop] = [:]
        var dropped: [DroppedTarget] = []
        var groups: [String: [TargetGroup]] = [:]
        var discoveries: [FileDiscovery] = []
        var stopped = false
    }

    /// The provider name of `static_configs`.
    private static let staticProvider = "static"

    init(config: ScrapeConfig, shared: ManagerShared) {
        job = config.jobName
        self.shared = shared
        let context = Self.makeContext(config, shared: shared)
        state = Mutex(State(context: context))
        shared.metrics.poolCreated(failed: context.flags.clientError != nil)
    }

    private static func makeContext(_ config: ScrapeConfig, shared: ManagerShared) -> LoopContext {
        let client = ScrapeClient(http: config.http)
        var clientError: ScrapeFailure?
        do {
            _ = try ScrapeClient.tlsConfiguration(config.http.tls)
        } catch {
            clientError = error
            shared.logger.error("Error creating HTTP client", metadata: ["scrape_pool": "\(config.jobName)", "err": "\(error)"])
        }
        return LoopContext(config: config, client: client, shared: shared, flags: PoolFlags(clientError: clientError))
    }

    /// The config the pool runs.
    var config: ScrapeConfig { state.withLock { $0.context.config } }

    /// Starts discovery and the loops of the static targets.
    func start() {
        let config = self.config
        let discoveries = makeDiscoveries(config)
        state.withLock { state in
            state.groups[Self.staticProvider] = config.staticConfigs
            state.discoveries = discoveries
            sync(&state, replacing: false)
        }
        for discovery in discoveries { shared.launcher.launch { await discovery.run() } }
    }

    private func makeDiscoveries(_ config: ScrapeConfig) -> [FileDiscovery] {
        config.fileSDConfigs.enumerated().map { index, fileSD in
            let provider = "file/\(index)"
            return FileDiscovery(
                config: fileSD, name: "\(config.jobName)/\(provider)", pollInterval: shared.options.fileSDPollInterval,
                logger: shared.logger, metrics: shared.metrics
            ) { [weak self] groups in
                self?.update(provider: provider, groups: groups)
            }
        }
    }

    /// New target groups from one provider.
    func update(provider: String, groups: [TargetGroup]) {
        state.withLock { state in
            guard !state.stopped else { return }
            state.groups[provider] = groups
            sync(&state, replacing: false)
        }
    }

    /// Applies a changed config: a new HTTP client, every loop restarted under the new settings
    /// (keeping its series state, so nothing goes stale that is still there), discovery
    /// restarted when `file_sd_configs` changed. Returns the loops that stop.
    func reload(_ config: ScrapeConfig) -> [TargetLoop] {
        let context = Self.makeContext(config, shared: shared)
        shared.metrics.poolReloaded(failed: context.flags.clientError != nil)
        var newDiscoveries: [FileDiscovery] = []
        let (stopping, oldClient, oldDiscoveries) = state.withLock { state -> ([TargetLoop], ScrapeClient, [FileDiscovery]) in
            let oldClient = state.context.client
            var oldDiscoveries: [FileDiscovery] = []
            if state.context.config.fileSDConfigs != config.fileSDConfigs {
                oldDiscoveries = state.discoveries
                for index in state.context.config.fileSDConfigs.indices { state.groups["file/\(index)"] = nil }
                newDiscoveries = makeDiscoveries(config)
                state.discoveries = newDiscoveries
            }
            state.context = context
            state.groups[Self.staticProvider] = config.staticConfigs
            let before = state.loops
            sync(&state, replacing: true)
            return (Array(before.values), oldClient, oldDiscoveries)
        }
        for discovery in oldDiscoveries { discovery.control.stop(.shutdown) }
        for discovery in newDiscoveries { shared.launcher.launch { await discovery.run() } }
        shared.launcher.launch {
            for loop in stopping { await loop.finished.wait() }
            await oldClient.shutdown()
        }
        return stopping
    }

    /// Stops every loop and discovery. With `.removed` the loops write stale markers after two
    /// intervals and the HTTP client is shut down after them; with `.shutdown` at once and the
    /// manager shuts the client down. Returns the loops.
    func stop(_ reason: StopReason) -> [TargetLoop] {
        let (loops, discoveries, client) = state.withLock { state -> ([TargetLoop], [FileDiscovery], ScrapeClient) in
            state.stopped = true
            defer { state.loops.removeAll() }
            return (Array(state.loops.values), state.discoveries, state.context.client)
        }
        for discovery in discoveries { discovery.control.stop(.shutdown) }
        for loop in loops { loop.control.stop(reason) }
        if reason == .removed {
            shared.metrics.poolRemoved(job: job)
            shared.launcher.launch {
                for loop in loops { await loop.finished.wait() }
                await client.shutdown()
            }
        }
        return loops
    }

    /// The HTTP client of the current config, for the manager to shut down on stop.
    var client: ScrapeClient { state.withLock { $0.context.client } }

    /// The active targets, by URL.
    func activeTargets(globalURL: GlobalURLOptions?) -> [ActiveTarget] {
        let loops = state.withLock { Array($0.loops.values) }
        return loops.map { $0.snapshot(job: job, globalURL: globalURL) }.sorted { $0.scrapeURL < $1.scrapeURL }
    }

    /// The targets relabeling dropped (at most `keep_dropped_targets` when set).
    var droppedTargets: [DroppedTarget] { state.withLock { $0.dropped } }

    /// The running loops, for tests.
    var loops: [TargetLoop] { state.withLock { Array($0.loops.values) } }

    /// Rebuilds the targets from every provider's groups and brings the loops in line. With
    /// `replacing`, loops of targets that stay are restarted under the current context.
    private func sync(_ state: inout State, replacing: Bool) {
        let config = state.context.config
        var built: [(UInt64, ScrapeTarget)] = []
        var seen: Set<UInt64> = []
        var dropped: [DroppedTarget] = []
        var failures = 0
        for provider in state.groups.keys.sorted() {
            for group in state.groups[provider] ?? [] {
                for (index, result) in config.buildTargets(group).enumerated() {
                    switch result {
                    case .active(let labels, let discovered):
                        guard let target = ScrapeTarget(labels: labels, discoveredLabels: discovered, config: config) else {
                            failures += 1
                            continue
                        }
                        if seen.insert(target.hash).inserted { built.append((target.hash, target)) }
                    case .dropped(let discovered):
                        let keep = config.limits.keepDroppedTargets
                        if keep == 0 || dropped.count < keep {
                            dropped.append(DroppedTarget(discoveredLabels: discovered, scrapePool: job))
                        }
                    case .failed(let reason):
                        failures += 1
                        shared.logger.error(
                            "Creating target failed",
                            metadata: ["scrape_pool": "\(job)", "err": "instance \(index) in group \(group.source): \(reason)"])
                    }
                }
            }
        }
        state.dropped = dropped
        var next: [UInt64: TargetLoop] = [:]
        let builtHashes = Set(built.map(\.0))
        // A target whose hash changed but whose series labels did not (a new scrape interval, a
        // new metrics path) takes over the old loop's series state instead of making them stale.
        var leaving: [Labels: TargetLoop] = [:]
        for (hash, loop) in state.loops where !builtHashes.contains(hash) {
            leaving.updateValue(loop, forKey: loop.target.publicLabels)?.control.stop(.removed)
        }
        for (hash, target) in built {
            if let existing = state.loops[hash] {
                if replacing {
                    existing.control.stop(.replaced)
                    let loop = TargetLoop(target: target, context: state.context, predecessor: existing)
                    next[hash] = loop
                    shared.launcher.launch { await loop.run() }
                } else {
                    existing.updateDiscoveredLabels(target.discoveredLabels)
                    next[hash] = existing
                }
            } else {
                let predecessor = leaving.removeValue(forKey: target.publicLabels)
                predecessor?.control.stop(.replaced)
                let loop = TargetLoop(target: target, context: state.context, predecessor: predecessor)
                next[hash] = loop
                shared.launcher.launch { await loop.run() }
            }
        }
        for loop in leaving.values {
            loop.control.stop(.removed)
        }
        state.loops = next
        let limit = config.limits.targetLimit
        let exceeded = limit > 0 && next.count > limit
        state.context.flags.setTargetLimitError(
            exceeded
                ? ScrapeFailure(.targetLimit, "target_limit exceeded (number of targets: \(next.count), limit: \(limit))")
                : nil)
        shared.metrics.synced(
            job: job, targets: next.count, targetLimit: limit, failures: failures, exceededTargetLimit: exceeded)
    }
}
