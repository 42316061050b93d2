import Exposition
import Synchronization

/// The scrape manager's own counters, exposed on llmwatch's `/metrics` under the names of their
/// Prometheus equivalents with `llmwatch_` in place of `prometheus_`.
///
/// `llmwatch_target_interval_length_seconds` is a histogram (Prometheus 2.x has a summary of the
/// same name; the exposition module writes no summaries).
public final class ScrapeMetrics: MetricCollector, Sendable {
    private struct State {
        var poolsCreated = 0.0
        var poolsFailed = 0.0
        var poolReloads = 0.0
        var poolReloadsFailed = 0.0
        var exceededTargetLimit = 0.0
        var exceededLabelLimits = 0.0
        var exceededSampleLimit = 0.0
        var exceededBodySizeLimit = 0.0
        var sampleDuplicate = 0.0
        var sampleOutOfOrder = 0.0
        var sampleOutOfBounds = 0.0
        var cacheFlushForced = 0.0
        var sdFileReadErrors = 0.0
        var scrapes: [String: Double] = [:]
        var poolTargets: [String: Double] = [:]
        var poolTargetLimit: [String: Double] = [:]
        var poolSyncs: [String: Double] = [:]
        var syncFailed: [String: Double] = [:]
        var discoveredTargets: [String: Double] = [:]
        var intervals: [String: IntervalHistogram] = [:]
    }

    struct IntervalHistogram {
        var counts = [UInt64](repeating: 0, count: ScrapeMetrics.intervalBuckets.count + 1)
        var sum = 0.0
    }

    /// Bucket bounds of `llmwatch_target_interval_length_seconds`.
    static let intervalBuckets: [Double] = [0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1800, 3600]

    private let state = Mutex(State())

    /// Creates zeroed counters.
    public init() {}

    func poolCreated(failed: Bool) {
        state.withLock {
            $0.poolsCreated += 1
            if failed { $0.poolsFailed += 1 }
        }
    }

    func poolReloaded(failed: Bool) {
        state.withLock {
            $0.poolReloads += 1
            if failed { $0.poolReloadsFailed += 1 }
        }
    }

    func synced(job: String, targets: Int, targetLimit: Int, failures: Int, exceededTargetLimit: Bool) {
        state.withLock {
            $0.poolSyncs[job, default: 0] += 1
            $0.poolTargets[job] = Double(targets)
            $0.poolTargetLimit[job] = Double(targetLimit)
            $0.syncFailed[job, default: 0] += Double(failures)
            if exceededTargetLimit { $0.exceededTargetLimit += 1 }
        }
    }

    func poolRemoved(job: String) {
        state.withLock {
            $0.poolTargets[job] = nil
            $0.poolTargetLimit[job] = nil
            $0.poolSyncs[job] = nil
            $0.syncFailed[job] = nil
        }
    }

    func discovered(config: String, targets: Int?) {
        state.withLock { $0.discoveredTargets[config] = targets.map(Double.init) }
    }

    func fileReadError() {
        state.withLock { $0.sdFileReadErrors += 1 }
    }

    func scraped(interval: String, sinceLast: Double?, failure: ScrapeFailure?, outcome: ScrapeProcessor.Outcome?) {
        state.withLock { state in
            state.scrapes[interval, default: 0] += 1
            if let sinceLast {
                var histogram = state.intervals[interval] ?? IntervalHistogram()
                let bucket = Self.intervalBuckets.firstIndex { sinceLast <= $0 } ?? Self.intervalBuckets.count
                histogram.counts[bucket] += 1
                histogram.sum += sinceLast
                state.intervals[interval] = histogram
            }
            switch failure?.kind {
            case .sampleLimit?: state.exceededSampleLimit += 1
            case .bodySizeLimit?: state.exceededBodySizeLimit += 1
            case .labelLimit?: state.exceededLabelLimits += 1
            default: break
            }
            if let outcome {
                state.sampleDuplicate += Double(outcome.duplicates)
                state.sampleOutOfBounds += Double(outcome.outOfBounds)
            }
        }
    }

    func stored(outOfOrder: Int, duplicates: Int, outOfBounds: Int) {
        state.withLock {
            $0.sampleOutOfOrder += Double(outOfOrder)
            $0.sampleDuplicate += Double(duplicates)
            $0.sampleOutOfBounds += Double(outOfBounds)
        }
    }

    func cacheFlushForced() {
        state.withLock { $0.cacheFlushForced += 1 }
    }

    /// The value of the counter or gauge `name` (with `label` for labelled families), for tests
    /// and status pages.
    public func value(_ name: String, label: String? = nil) -> Double? {
        for family in collect() where family.name == name {
            switch family.metrics {
            case .counter(let samples), .gauge(let samples), .untyped(let samples):
                return samples.first { label == nil || $0.labels.first?.value == label }?.value
            case .histogram(let series):
                return series.first { label == nil || $0.labels.first?.value == label }.map { Double($0.cumulativeCounts.last ?? 0) }
            }
        }
        return nil
    }

    /// The families, in a fixed order.
    public func collect() -> [MetricFamilySnapshot] {
        let state = state.withLock { $0 }
        func counter(_ name: String, _ help: String, _ value: Double) -> MetricFamilySnapshot {
            .counter(name: name, help: help, value: value)
        }
        func labelled(_ values: [String: Double], _ label: String) -> [NumberSample] {
            values.keys.sorted().map { NumberSample(labels: [Label(label, $0)], value: values[$0] ?? 0) }
        }
        var families = [
            counter("llmwatch_target_scrape_pools_total", "Total number of scrape pool creation attempts.", state.poolsCreated),
            counter("llmwatch_target_scrape_pools_failed_total", "Total number of scrape pool creations that failed.", state.poolsFailed),
            counter("llmwatch_target_scrape_pool_reloads_total", "Total number of scrape pool reloads.", state.poolReloads),
            counter("llmwatch_target_scrape_pool_reloads_failed_total", "Total number of failed scrape pool reloads.", state.poolReloadsFailed),
            counter("llmwatch_target_scrape_pool_exceeded_target_limit_total", "Total number of times scrape pools hit the target limit, during sync or config reload.", state.exceededTargetLimit),
            counter("llmwatch_target_scrape_pool_exceeded_label_limits_total", "Total number of times scrape pools hit the label limits, during sync or config reload.", state.exceededLabelLimits),
            counter("llmwatch_target_scrapes_exceeded_sample_limit_total", "Total number of scrapes that hit the sample limit and were rejected.", state.exceededSampleLimit),
            counter("llmwatch_target_scrapes_exceeded_body_size_limit_total", "Total number of scrapes that hit the body size limit.", state.exceededBodySizeLimit),
            counter("llmwatch_target_scrapes_sample_duplicate_timestamp_total", "Total number of samples rejected due to duplicate timestamps but different values.", state.sampleDuplicate),
            counter("llmwatch_target_scrapes_sample_out_of_order_total", "Total number of samples rejected due to not being out of the expected order.", state.sampleOutOfOrder),
            counter("llmwatch_target_scrapes_sample_out_of_bounds_total", "Total number of samples rejected due to timestamp falling outside of the time bounds.", state.sampleOutOfBounds),
            counter("llmwatch_target_scrapes_cache_flush_forced_total", "How many times a scrape cache was flushed due to getting big while scrapes are failing.", state.cacheFlushForced),
            counter("llmwatch_sd_file_read_errors_total", "The number of File-SD read errors.", state.sdFileReadErrors),
        ]
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_scrapes_total", help: "Total number of scrapes, by scrape interval.",
            metrics: .counter(labelled(state.scrapes, "interval"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_scrape_pool_targets", help: "Current number of targets in this scrape pool.",
            metrics: .gauge(labelled(state.poolTargets, "scrape_job"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_scrape_pool_target_limit", help: "Maximum number of targets allowed in this scrape pool.",
            metrics: .gauge(labelled(state.poolTargetLimit, "scrape_job"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_scrape_pool_sync_total", help: "Total number of syncs that were executed on a scrape pool.",
            metrics: .counter(labelled(state.poolSyncs, "scrape_job"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_sync_failed_total", help: "Total number of target sync failures.",
            metrics: .counter(labelled(state.syncFailed, "scrape_job"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_sd_discovered_targets", help: "Current number of discovered targets.",
            metrics: .gauge(labelled(state.discoveredTargets, "config"))))
        families.append(MetricFamilySnapshot(
            name: "llmwatch_target_interval_length_seconds", help: "Actual intervals between scrapes.",
            metrics: .histogram(state.intervals.keys.sorted().map { interval in
                let histogram = state.intervals[interval] ?? IntervalHistogram()
                var running: UInt64 = 0
                let cumulative = histogram.counts.map { count -> UInt64 in
                    running += count
                    return running
                }
                return HistogramSnapshot(
                    labels: [Label("interval", interval)], upperBounds: Self.intervalBuckets,
                    cumulativeCounts: cumulative, sum: histogram.sum)
            })))
        return families
    }
}
