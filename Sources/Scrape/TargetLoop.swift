import Config
import Foundation
import Logging
import PrometheusConfig
import Series
import Synchronization

/// One target of a scrape pool, as built from its discovered labels.
struct ScrapeTarget: Sendable, Hashable {
    /// Every label after relabeling, `__`-prefixed ones included.
    var labels: Labels
    /// The labels its series carry: `labels` without `__`-prefixed ones.
    var publicLabels: Labels
    /// The labels before relabeling.
    var discoveredLabels: Labels
    /// The URL scraped.
    var url: String
    /// `__address__`.
    var address: String
    /// From `__scrape_interval__`.
    var interval: PromDuration
    /// From `__scrape_timeout__`.
    var timeout: PromDuration
    /// Identifies the target within its pool: its labels and URL (Prometheus's `Target.hash`).
    var hash: UInt64

    init?(labels: Labels, discoveredLabels: Labels, config: ScrapeConfig) {
        guard let interval = try? PromDuration.parse(labels[TargetLabel.scrapeInterval]),
            let timeout = try? PromDuration.parse(labels[TargetLabel.scrapeTimeout]), interval.milliseconds > 0
        else { return nil }
        self.labels = labels
        publicLabels = Labels(sortedPairs: labels.pairs.filter { !$0.name.hasPrefix("__") })
        self.discoveredLabels = discoveredLabels
        url = config.scrapeURL(targetLabels: labels)
        address = labels[TargetLabel.address]
        self.interval = interval
        self.timeout = timeout
        // Prometheus's `Target.hash`: FNV-1a of the labels' xxhash as `%016d`, then the URL.
        let labelsHash = String(XXHash64.labelsHash(labels.pairs.map { ($0.name, $0.value) }))
        hash = ByteHash.fnv1a(
            url, seed: ByteHash.fnv1a(String(repeating: "0", count: max(0, 16 - labelsHash.count)) + labelsHash))
    }
}

/// What loops of one pool share and a reload replaces.
struct LoopContext: Sendable {
    let config: ScrapeConfig
    let client: ScrapeClient
    let shared: ManagerShared
    let flags: PoolFlags
}

/// Errors a pool forces on all its targets (too many targets, an HTTP client that cannot be built).
final class PoolFlags: Sendable {
    private let targetLimit = Mutex<ScrapeFailure?>(nil)
    let clientError: ScrapeFailure?

    init(clientError: ScrapeFailure?) {
        self.clientError = clientError
    }

    /// The error every scrape of the pool reports instead of scraping, if any.
    var forcedError: ScrapeFailure? { clientError ?? targetLimit.withLock { $0 } }

    func setTargetLimitError(_ failure: ScrapeFailure?) {
        targetLimit.withLock { $0 = failure }
    }
}

/// The scrape loop of one target: Prometheus's `scrapeLoop`. Waits for the target's offset in
/// the interval, scrapes every interval, writes samples, stale markers and report series, and
/// keeps the target's health for the API.
final class TargetLoop: Sendable {
    struct Status: Sendable {
        var health = TargetHealth.unknown
        var lastError = ""
        var lastScrape: Date?
        var lastScrapeDuration = 0.0
        var lastSize = 0
    }

    let target: ScrapeTarget
    let context: LoopContext
    let control = LoopControl()
    /// Signalled when the loop has returned (after its end-of-run stale markers).
    let finished = OneShotEvent()
    /// Signalled when the loop has stopped scraping (before end-of-run stale markers).
    let stoppedScraping = OneShotEvent()
    private let status = Mutex(Status())
    private let processor: Mutex<ScrapeProcessor>
    private let predecessor: Mutex<TargetLoop?>
    private let discovered: Mutex<Labels>
    private let headers: [(String, String)]

    init(target: ScrapeTarget, context: LoopContext, predecessor: TargetLoop?) {
        self.target = target
        self.context = context
        self.predecessor = Mutex(predecessor)
        discovered = Mutex(target.discoveredLabels)
        processor = Mutex(
            ScrapeProcessor(settings: ScrapeProcessor.Settings(config: context.config, targetLabels: target.publicLabels)))
        headers = [
            ("Accept", context.config.acceptHeader),
            ("Accept-Encoding", context.config.enableCompression ? "gzip" : "identity"),
            ("User-Agent", context.shared.options.userAgent),
            ("X-Prometheus-Scrape-Timeout-Seconds", Self.seconds(target.timeout)),
        ]
        if let predecessor { status.withLock { $0 = predecessor.currentStatus } }
    }

    /// The target as the API shows it.
    func snapshot(job: String, globalURL: GlobalURLOptions?) -> ActiveTarget {
        let status = currentStatus
        return ActiveTarget(
            discoveredLabels: discovered.withLock { $0 }, labels: target.publicLabels, scrapePool: job,
            scrapeURL: target.url, globalURL: globalURL?.globalURL(target.url) ?? target.url, health: status.health,
            lastError: status.lastError, lastScrape: status.lastScrape, lastScrapeDuration: status.lastScrapeDuration,
            scrapeInterval: target.interval.description, scrapeTimeout: target.timeout.description)
    }

    var currentStatus: Status { status.withLock { $0 } }

    /// Keeps the newest discovered labels of a target rediscovered unchanged.
    func updateDiscoveredLabels(_ labels: Labels) {
        discovered.withLock { $0 = labels }
    }

    /// Scrapes until stopped, then writes end-of-run stale markers as the stop reason asks.
    func run() async {
        defer {
            stoppedScraping.signal()
            finished.signal()
        }
        if let previous = predecessor.withLock({ loop -> TargetLoop? in
            defer { loop = nil }
            return loop
        }) {
            await previous.finished.wait()
            adopt(from: previous)
        }
        let interval = target.interval.duration
        var next = ContinuousClock.now
        if control.reason == nil, await control.sleep(until: .now + offset()) == nil {
            next = ContinuousClock.now
            var aligned = Self.wallMilliseconds()
            let intervalMilliseconds = target.interval.milliseconds
            let tolerance = min(intervalMilliseconds / 100, 2)
            var lastStart: ContinuousClock.Instant?
            while true {
                let now = Self.wallMilliseconds()
                while now - aligned >= intervalMilliseconds { aligned += intervalMilliseconds }
                let scrapeTime = now - aligned <= tolerance ? aligned : now
                let start = ContinuousClock.now
                await scrapeAndReport(timestamp: scrapeTime, sinceLast: lastStart.map { start - $0 })
                lastStart = start
                next += interval
                let current = ContinuousClock.now
                if next <= current {
                    while next + interval <= current { next += interval }
                    if control.reason != nil { break }
                    continue
                }
                if await control.sleep(until: next) != nil { break }
            }
        }
        if Task.isCancelled { control.stop(.shutdown) }
        stoppedScraping.signal()
        await endOfRun(nextTick: max(next, ContinuousClock.now))
    }

    /// Takes the series state of the loop this one replaces.
    private func adopt(from previous: TargetLoop) {
        var state = previous.processor.withLock { loop -> ScrapeProcessor in
            let taken = loop
            loop = ScrapeProcessor(settings: loop.settings)
            return taken
        }
        state.settings = ScrapeProcessor.Settings(config: context.config, targetLabels: target.publicLabels)
        state.forgetLines()
        processor.withLock { $0 = state }
        status.withLock { $0 = previous.currentStatus }
    }

    /// Prometheus's `Target.offset`: where in the interval this target is scraped, fixed by its
    /// hash (and the server's seed) and pinned to wall-clock time, so restarts keep the phase.
    func offset() -> Duration {
        let intervalNanoseconds = UInt64(max(1, target.interval.milliseconds)) * 1_000_000
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        let base = intervalNanoseconds - now % intervalNanoseconds
        var next = base + (target.hash ^ context.shared.options.offsetSeed) % intervalNanoseconds
        if next > intervalNanoseconds { next -= intervalNanoseconds }
        return .nanoseconds(Int64(next))
    }

    private func scrapeAndReport(timestamp: Int64, sinceLast: Duration?) async {
        let start = ContinuousClock.now
        let wallStart = Date()
        let shared = context.shared
        let fetched: Result<FetchedPage, ScrapeFailure>
        if let forced = context.flags.forcedError {
            fetched = .failure(forced)
        } else {
            fetched = await context.client.fetch(
                url: target.url, host: target.address, headers: headers, timeout: target.timeout.duration,
                bodyLimit: context.config.limits.bodySizeLimit, sizeHint: status.withLock { $0.lastSize })
        }
        let result = await withTaskExecutorPreference(shared.executor) {
            self.process(fetched, timestamp: timestamp, start: start, wallStart: wallStart)
        }
        shared.metrics.scraped(
            interval: target.interval.description, sinceLast: sinceLast.map(Self.seconds), failure: result.failure,
            outcome: result.outcome)
        if let failure = result.failure {
            shared.logger.debug(
                "Scrape failed", metadata: ["scrape_pool": "\(context.config.jobName)", "target": "\(target.url)", "err": "\(failure)"])
        }
    }

    private struct ScrapeReport {
        var failure: ScrapeFailure?
        var duration: Double
        var outcome: ScrapeProcessor.Outcome?
        var size: Int
    }

    /// The synchronous part of a scrape, on a scrape thread: process the page (or the failure),
    /// add the report series, record the target's health, and write everything in one append.
    /// The health is recorded first, so whoever sees this scrape's `up` in the store sees the
    /// same verdict in `/api/v1/targets`.
    private func process(
        _ fetched: Result<FetchedPage, ScrapeFailure>, timestamp: Int64, start: ContinuousClock.Instant, wallStart: Date
    ) -> ScrapeReport {
        processor.withLock { processor -> ScrapeReport in
            var result = ScrapeReport(duration: 0, size: 0)
            switch fetched {
            case .success(let page):
                let outcome = processor.process(page.bytes, contentType: page.contentType, timestamp: timestamp)
                result.failure = outcome.failure
                result.size = page.bytes.count
                result.outcome = outcome
            case .failure(let failure):
                result.failure = failure
                processor.failed(timestamp: timestamp)
            }
            result.duration = Self.seconds(ContinuousClock.now - start)
            processor.appendReport(
                timestamp: timestamp, up: result.failure == nil, duration: result.duration,
                total: result.outcome?.total ?? 0, added: result.outcome?.added ?? 0,
                seriesAdded: result.outcome?.seriesAdded ?? 0)
            status.withLock { status in
                status.health = result.failure == nil ? .up : .down
                status.lastError = result.failure?.message ?? ""
                status.lastScrape = wallStart
                status.lastScrapeDuration = result.duration
                if result.size > 0 { status.lastSize = result.size }
            }
            commit(processor.pending)
            return result
        }
    }

    private func commit(_ samples: [LabeledSample]) {
        let shared = context.shared
        do {
            let summary = try shared.appender.append(samples)
            shared.metrics.stored(
                outOfOrder: summary.rejected[.outOfOrderSample] ?? 0,
                duplicates: summary.rejected[.duplicateSampleForTimestamp] ?? 0,
                outOfBounds: summary.rejected[.outOfBounds] ?? 0)
        } catch {
            shared.logger.error(
                "Scrape commit failed", metadata: ["target": "\(target.url)", "err": "\(error)"])
        }
    }

    /// Stale markers for every series of the target, when it is gone for good: after waiting for
    /// two more ticks (a removed target that comes back within them would make them useless), or
    /// at once when the manager stops.
    private func endOfRun(nextTick: ContinuousClock.Instant) async {
        guard let reason = control.reason, reason != .replaced else { return }
        guard processor.withLock({ $0.hasScraped }) else { return }
        var staleTime = Self.wallMilliseconds()
        if reason == .removed {
            if await control.sleep(until: nextTick, whileStopped: true) == nil {
                staleTime = Self.wallMilliseconds()
                let interval = target.interval.duration
                _ = await control.sleep(until: nextTick + interval + interval / 10, whileStopped: true)
            } else {
                staleTime = Self.wallMilliseconds()
            }
        }
        if control.reason == .shutdown, !context.shared.options.staleMarkersOnShutdown { return }
        let time = staleTime
        await withTaskExecutorPreference(context.shared.executor) {
            self.processor.withLock { processor in
                processor.endOfRun(timestamp: time)
                if !processor.pending.isEmpty { self.commit(processor.pending) }
            }
        }
    }

    static func wallMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A duration as Go's `strconv.FormatFloat(d.Seconds(), 'f', -1, 64)`: `10`, `0.5`, `1.25`.
    static func seconds(_ duration: PromDuration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds % 1000 == 0 { return String(milliseconds / 1000) }
        var text = String(format: "%.3f", Double(milliseconds) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
