import Foundation
import Logging
import PrometheusConfig
import Scrape
import Series
import Synchronization
import TestSupport

/// An appender that keeps every commit, in order, for exact assertions.
///
/// The suite shares two cores with CPU-heavy tests, so now and then a scrape of a local exporter
/// runs into its (one- or two-second) timeout. Unless a test is about timeouts, such scrapes say
/// nothing about what it checks, and `scrapes` leaves them out: a scrape whose `up` is 0, that
/// read no sample and whose `scrape_duration_seconds` reached 0.85 s (every job here has a timeout of 0.9 s or
/// more, but the one that tests timeouts, which keeps them).
final class MemoryAppender: SampleAppender {
    private let commits = Mutex<[[LabeledSample]]>([])
    private let excludeTimeouts: Bool

    init(excludeTimeouts: Bool = true) {
        self.excludeTimeouts = excludeTimeouts
    }

    func append(_ samples: [LabeledSample]) throws -> AppendSummary {
        commits.withLock { $0.append(samples) }
        var summary = AppendSummary()
        summary.appended = samples.count
        return summary
    }

    /// Every commit so far.
    var batches: [[LabeledSample]] { commits.withLock { $0 } }

    /// Every sample so far, in commit order.
    var samples: [LabeledSample] { batches.flatMap { $0 } }

    /// The samples of series named `name`, in order.
    func samples(named name: String) -> [LabeledSample] {
        samples.filter { $0.labels.metricName == name }
    }

    /// The commits that contain a sample of `up`: one per scrape (timed-out ones left out, see above).
    var scrapes: [[LabeledSample]] {
        batches.filter { batch in
            guard let up = batch.first(where: { $0.labels.metricName == "up" && !$0.sample.isStaleMarker }) else {
                return false
            }
            guard excludeTimeouts, up.sample.value == 0 else { return true }
            let duration = batch.first { $0.labels.metricName == "scrape_duration_seconds" }?.sample.value ?? 0
            let scraped = batch.first { $0.labels.metricName == "scrape_samples_scraped" }?.sample.value ?? 0
            return duration < 0.85 || scraped > 0
        }
    }

    /// The value of series `name` (with `labels` matching) in scrape `index`.
    func value(_ name: String, scrape index: Int, where match: (Labels) -> Bool = { _ in true }) -> Double? {
        let all = scrapes
        guard index < all.count else { return nil }
        return all[index].first { $0.labels.metricName == name && match($0.labels) }?.sample.value
    }
}

/// A logger that keeps scrape tests quiet.
let testLogger: Logger = {
    var logger = Logger(label: "scrape-test")
    logger.logLevel = .critical
    return logger
}()

/// Parses a prometheus.yml (relative paths against `directory`).
func scrapeConfigs(_ yaml: String, directory: String = ".") throws -> [ScrapeConfig] {
    try PrometheusConfigLoader(environment: [:]).parse(yaml, file: "test.yml", directory: directory).scrapeConfigs
}

/// Runs a scrape manager on `yaml` into `appender` while `body` runs, then shuts it down.
func withScraping<T: Sendable>(
    _ yaml: String, into appender: any SampleAppender, directory: String = ".",
    options: ScrapeManager.Options = ScrapeManager.Options(), _ body: (ScrapeManager) async throws -> T
) async throws -> T {
    let manager = ScrapeManager(appender: appender, options: options, logger: testLogger)
    await manager.apply(try scrapeConfigs(yaml, directory: directory))
    return try await whileRunning(manager) { try await body(manager) }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout`.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(20), _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("timed out after \(timeout) waiting for \(what)")
}

/// The fixtures directory.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The real llama.cpp /metrics page.
let llamaPage: String = (try? String(contentsOf: fixtures.appendingPathComponent("llama-server-metrics.txt"), encoding: .utf8)) ?? ""

/// `Labels` from a literal.
func labels(_ pairs: [String: String]) -> Labels { Labels(pairs) }
