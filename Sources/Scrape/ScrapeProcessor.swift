import Config
import Exposition
import Foundation
import PrometheusConfig
import Series

/// The CPU part of a scrape: parses a page on bytes, turns each line into a stored series
/// (target labels, `honor_labels`, metric relabeling, limits) through the series cache, and
/// works out stale markers and the report series, exactly as Prometheus's `scrapeLoop.append`
/// and `report` do. Synchronous and owned by one target's loop.
struct ScrapeProcessor {
    /// What the processor needs from the scrape config and the target.
    struct Settings {
        /// The target's labels without `__`-prefixed ones, sorted.
        var targetLabels: Labels
        var honorLabels: Bool
        var honorTimestamps: Bool
        var trackTimestampsStaleness: Bool
        var metricRelabelConfigs: [RelabelConfig]
        var limits: ScrapeLimits
        /// How a page without a known `Content-Type` is read.
        var fallbackFormat: ExpositionFormat

        init(config: ScrapeConfig, targetLabels: Labels) {
            self.targetLabels = targetLabels
            honorLabels = config.honorLabels
            honorTimestamps = config.honorTimestamps
            trackTimestampsStaleness = config.trackTimestampsStaleness
            metricRelabelConfigs = config.metricRelabelConfigs
            limits = config.limits
            switch config.fallbackScrapeProtocol {
            case .openMetrics0_0_1, .openMetrics1_0_0: fallbackFormat = .openMetrics
            case .prometheusText0_0_4, nil: fallbackFormat = .text004
            }
        }
    }

    /// What one scrape produced; the samples themselves are in `pending`.
    struct Outcome {
        /// Sample lines on the page (`scrape_samples_scraped`).
        var total = 0
        /// Samples left after metric relabeling (`scrape_samples_post_metric_relabeling`).
        var added = 0
        /// Series seen for the first time (`scrape_series_added`).
        var seriesAdded = 0
        /// The failure, when the page was refused.
        var failure: ScrapeFailure?
        /// Samples dropped as duplicates of a series already in this scrape.
        var duplicates = 0
        /// Samples with timestamps more than 10 minutes ahead.
        var outOfBounds = 0
    }

    /// Report series names in Prometheus's order.
    static let reportNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]

    /// Prometheus refuses samples more than this far ahead of the scrape (`maxAheadTime`).
    static let maxAheadMilliseconds: Int64 = 10 * 60 * 1000

    var settings: Settings {
        didSet { reportLabels = Self.reportLabels(settings.targetLabels) }
    }
    private(set) var cache = SeriesCache()
    /// The samples, stale markers and report series of the current scrape, to store in one
    /// append. Reused from scrape to scrape, so a steady target allocates no new pending.
    private(set) var pending: [LabeledSample] = []
    private(set) var reportLabels: [Labels]
    /// Whether a scrape has happened, so end-of-run stale markers have something to mark.
    private(set) var hasScraped = false

    init(settings: Settings) {
        self.settings = settings
        reportLabels = Self.reportLabels(settings.targetLabels)
    }

    private static func reportLabels(_ target: Labels) -> [Labels] {
        reportNames.map { target.setting(Labels.metricName, to: $0) }
    }

    /// Reads a `Content-Type` as Prometheus 2.x does: OpenMetrics for
    /// `application/openmetrics-text`, the text format for `text/plain`, and the fallback (text
    /// 0.0.4 unless `fallback_scrape_protocol` says otherwise) for anything else or nothing.
    func format(contentType: String?) -> ExpositionFormat {
        guard let contentType else { return settings.fallbackFormat }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch mediaType {
        case "application/openmetrics-text": return .openMetrics
        case "text/plain": return .text004
        default: return settings.fallbackFormat
        }
    }

    /// Processes a page fetched successfully, at scrape time `timestamp` (milliseconds).
    mutating func process(_ bytes: [UInt8], contentType: String?, timestamp: Int64) -> Outcome {
        hasScraped = true
        cache.beginIteration()
        pending.removeAll(keepingCapacity: true)
        var outcome = Outcome()
        if !bytes.isEmpty {
            let format = format(contentType: contentType)
            bytes.withUnsafeBytes { raw in
                parse(raw, bytes: bytes, format: format, timestamp: timestamp, into: &outcome)
            }
        }
        if outcome.failure != nil {
            pending.removeAll(keepingCapacity: true)
            appendStale(cache.allPrevious(), timestamp: timestamp)
            cache.endFailed()
        } else {
            appendStale(cache.staleAfterSuccess(), timestamp: timestamp)
            cache.endSuccessful()
        }
        return outcome
    }

    /// A scrape that failed before there was a page: every series of the last successful scrape
    /// goes stale (into `pending`).
    mutating func failed(timestamp: Int64) {
        hasScraped = true
        cache.beginIteration()
        pending.removeAll(keepingCapacity: true)
        appendStale(cache.allPrevious(), timestamp: timestamp)
        cache.endFailed()
    }

    /// The target is gone: stale markers for its series and its report series (into `pending`);
    /// nothing when it was never scraped.
    mutating func endOfRun(timestamp: Int64) {
        guard hasScraped else {
            pending.removeAll(keepingCapacity: true)
            return
        }
        failed(timestamp: timestamp)
        appendStale(reportLabels, timestamp: timestamp)
    }

    /// Adds the five report series of the current scrape to `pending`.
    mutating func appendReport(
        timestamp: Int64, up: Bool, duration: Double, total: Int, added: Int, seriesAdded: Int
    ) {
        let values = [up ? 1 : 0, duration, Double(total), Double(added), Double(seriesAdded)]
        for (labels, value) in zip(reportLabels, values) {
            pending.append(LabeledSample(labels: labels, timestamp: timestamp, value: value))
        }
    }

    /// Drops what the cache knows about lines (the scrape config changed), keeping the series of
    /// the last scrape so that they still go stale when they disappear.
    mutating func forgetLines() {
        cache.forgetLines()
    }

    private mutating func appendStale(_ labels: [Labels], timestamp: Int64) {
        for series in labels {
            pending.append(LabeledSample(labels: series, timestamp: timestamp, value: Sample.staleNaN))
        }
    }

    private mutating func parse(
        _ raw: UnsafeRawBufferPointer, bytes: [UInt8], format: ExpositionFormat, timestamp: Int64,
        into outcome: inout Outcome
    ) {
        var parser = ExpositionParser(bytes: bytes, format: format)
        let sampleLimit = settings.limits.sampleLimit
        let maxTime = timestamp + Self.maxAheadMilliseconds
        var appended = 0
        var limitExceeded = false
        while true {
            let entry: ExpositionEntry?
            do {
                entry = try parser.next()
            } catch {
                outcome.failure = ScrapeFailure(.parse, error.description)
                return
            }
            guard let entry else { break }
            guard case .sample = entry else { continue }
            outcome.total += 1
            let explicit = settings.honorTimestamps ? parser.timestampMilliseconds : nil
            let sampleTime = explicit ?? timestamp
            let key = UnsafeRawBufferPointer(rebasing: raw[parser.seriesBytes])
            let hash = ByteHash.hash(key)
            let slot: Int32
            var isNew = false
            if let index = cache.lookup(key, hash: hash) {
                slot = cache.entries[index].slot
                if slot < 0 { continue }
            } else {
                switch makeSeries(parser) {
                case .dropped:
                    _ = cache.insert(key, hash: hash, slot: -1)
                    continue
                case .failed(let failure):
                    outcome.failure = failure
                    return
                case .series(let labels):
                    slot = cache.slot(for: labels)
                    _ = cache.insert(key, hash: hash, slot: slot)
                    isNew = true
                }
            }
            outcome.added += 1
            if cache.markScraped(slot), explicit == nil {
                outcome.duplicates += 1
                continue
            }
            if sampleTime > maxTime {
                outcome.outOfBounds += 1
                continue
            }
            if sampleLimit > 0, appended >= sampleLimit {
                limitExceeded = true
                continue
            }
            pending.append(LabeledSample(labels: cache.labels(of: slot), timestamp: sampleTime, value: parser.value))
            appended += 1
            if explicit == nil || settings.trackTimestampsStaleness {
                cache.track(slot)
            }
            if isNew && !limitExceeded { outcome.seriesAdded += 1 }
        }
        if limitExceeded { outcome.failure = .sampleLimitExceeded }
    }

    private enum NewSeries {
        case series(Labels)
        case dropped
        case failed(ScrapeFailure)
    }

    /// The stored labels of the line the parser is on: the scraped labels merged with the
    /// target's (Prometheus's `mutateSampleLabels`), then metric relabeling, then validity and
    /// label limits.
    private func makeSeries(_ parser: ExpositionParser) -> NewSeries {
        var pairs = [Series.Label(name: Labels.metricName, value: parser.metricName())]
        for index in 0..<parser.labelCount {
            pairs.append(Series.Label(name: parser.labelName(at: index), value: parser.labelValue(at: index)))
        }
        let scraped = Labels(pairs)
        var builder = LabelBuilder(scraped)
        let target = settings.targetLabels
        if settings.honorLabels {
            for label in target where !scraped.has(label.name) {
                builder.set(label.name, label.value)
            }
        } else {
            var conflicting: [Series.Label] = []
            for label in target {
                let existing = scraped[label.name]
                if !existing.isEmpty { conflicting.append(Series.Label(name: label.name, value: existing)) }
                builder.set(label.name, label.value)
            }
            if !conflicting.isEmpty {
                Self.resolveConflicts(&conflicting, scraped: scraped, target: target)
                for label in conflicting { builder.set(label.name, label.value) }
            }
        }
        guard Relabeling.process(&builder, settings.metricRelabelConfigs) else { return .dropped }
        let labels = builder.labels
        if labels.isEmpty { return .dropped }
        let name = labels.metricName
        if name.isEmpty { return .failed(ScrapeFailure(.parse, "missing metric name (__name__ label)")) }
        if !Labels.isLegacyMetricName(name) || !labels.allSatisfy({ Labels.isLegacyLabelName($0.name) }) {
            return .failed(ScrapeFailure(.parse, "invalid metric name or label names: \(labels.bracedDescription)"))
        }
        if let failure = Self.checkLimits(labels, settings.limits) { return .failed(failure) }
        return .series(labels)
    }

    /// Prometheus 2.x's `resolveConflictingExposedLabels`: each scraped label that a target
    /// label overwrote is kept as `exported_<name>` (more `exported_` prefixes until the name is free).
    static func resolveConflicts(_ conflicting: inout [Series.Label], scraped: Labels, target: Labels) {
        let order = conflicting.indices.sorted {
            conflicting[$0].name.utf8.count != conflicting[$1].name.utf8.count
                ? conflicting[$0].name.utf8.count < conflicting[$1].name.utf8.count : $0 < $1
        }
        conflicting = order.map { conflicting[$0] }
        for index in conflicting.indices {
            var name = conflicting[index].name
            while true {
                name = "exported_" + name
                let taken = scraped.has(name) || target.has(name)
                    || conflicting[..<index].contains { $0.name == name }
                if !taken { break }
            }
            conflicting[index].name = name
        }
    }

    /// Prometheus's `verifyLabelLimits`, with its messages.
    static func checkLimits(_ labels: Labels, _ limits: ScrapeLimits) -> ScrapeFailure? {
        let metric = String(labels.metricName.prefix(50))
        if limits.labelLimit > 0, labels.count > limits.labelLimit {
            return ScrapeFailure(
                .labelLimit,
                "label_limit exceeded (metric: \(metric), number of labels: \(labels.count), limit: \(limits.labelLimit))")
        }
        for label in labels {
            let nameLength = label.name.utf8.count
            if limits.labelNameLengthLimit > 0, nameLength > limits.labelNameLengthLimit {
                return ScrapeFailure(
                    .labelLimit,
                    "label_name_length_limit exceeded (metric: \(metric), label name: \(label.name.prefix(50)), "
                        + "length: \(nameLength), limit: \(limits.labelNameLengthLimit))")
            }
            let valueLength = label.value.utf8.count
            if limits.labelValueLengthLimit > 0, valueLength > limits.labelValueLengthLimit {
                return ScrapeFailure(
                    .labelLimit,
                    "label_value_length_limit exceeded (metric: \(metric), label name: \(label.name.prefix(50)), "
                        + "value: \(Labels.quote(String(label.value.prefix(50)))), length: \(valueLength), "
                        + "limit: \(limits.labelValueLengthLimit))")
            }
        }
        return nil
    }
}
