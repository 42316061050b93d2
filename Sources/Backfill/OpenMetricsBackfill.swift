import Exposition
import Series

/// Reads an OpenMetrics file, as `promtool tsdb create-blocks-from openmetrics` reads one, into
/// any `SampleAppender` (the embedded store for `llmwatch tsdb import openmetrics`).
///
/// The file is read twice: first checked whole (syntax, `# EOF`, a timestamp on every sample),
/// so a bad file writes nothing; then appended in batches in file order. Each series' samples
/// must come in time order, as in any OpenMetrics file; a sample older than its series' newest
/// is refused as out of order by the store and counted, never fatal. Label values are kept as
/// written (`le="1"` stays `1`, as promtool 2.x keeps it).
public enum OpenMetricsBackfill {
    /// What an import did.
    public struct Report: Sendable, Equatable {
        /// Sample lines read.
        public var samplesRead = 0
        /// Distinct series read.
        public var series = 0
        /// Samples the store kept.
        public var appended = 0
        /// Exact repeats of a sample already stored, ignored.
        public var ignoredDuplicates = 0
        /// Samples the store refused, by reason.
        public var rejected: [AppendError: Int] = [:]
        /// The first refused samples the file itself shows (a series going back in time or
        /// repeating a timestamp with another value), with their line numbers.
        public var rejectedExamples: [String] = []
        /// The oldest and newest sample timestamps read, in milliseconds; nil for an empty file.
        public var minTime: Int64?
        /// See `minTime`.
        public var maxTime: Int64?

        /// Samples refused in all.
        public var rejectedTotal: Int { rejected.values.reduce(0, +) }

        /// Creates an empty report.
        public init() {}
    }

    /// How many rejected samples `Report.rejectedExamples` names at most.
    public static let maxExamples = 10

    /// Checks `bytes` as an OpenMetrics file, then appends its samples to `appender` in batches
    /// of `batchSize`. `file` names the file in errors.
    ///
    /// - Throws: `BackfillError.parse` (with nothing written) when the file is malformed or a
    ///   sample has no timestamp; `BackfillError.append` when the store fails to write, after
    ///   the batches before it were written.
    public static func run(
        _ bytes: [UInt8], file: String, into appender: any SampleAppender, batchSize: Int = 50_000
    ) throws(BackfillError) -> Report {
        try check(bytes, file: file)
        var report = Report()
        var parser = ExpositionParser(bytes: bytes, format: .openMetrics)
        var cache = SeriesCache()
        var newest: [Labels: Sample] = [:]
        var batch: [LabeledSample] = []
        batch.reserveCapacity(batchSize)
        func flush() throws(BackfillError) {
            guard !batch.isEmpty else { return }
            do {
                let summary = try appender.append(batch)
                report.appended += summary.appended
                report.ignoredDuplicates += summary.ignoredDuplicates
                for (reason, count) in summary.rejected { report.rejected[reason, default: 0] += count }
            } catch {
                throw .append(file: file, detail: "\(error)")
            }
            batch.removeAll(keepingCapacity: true)
        }
        while let entry = try next(&parser, file: file) {
            guard case .sample = entry, let timestamp = parser.timestampMilliseconds else { continue }
            let labels = cache.labels(for: parser)
            let sample = Sample(timestamp: timestamp, value: parser.value)
            report.samplesRead += 1
            report.minTime = min(report.minTime ?? timestamp, timestamp)
            report.maxTime = max(report.maxTime ?? timestamp, timestamp)
            if let previous = newest[labels] {
                if report.rejectedExamples.count < maxExamples {
                    if timestamp < previous.timestamp {
                        report.rejectedExamples.append(
                            "\(file):\(parser.line): \(labels) at \(timestamp) ms is older than \(previous.timestamp) ms before it: out of order sample"
                        )
                    } else if timestamp == previous.timestamp,
                        sample.value.bitPattern != previous.value.bitPattern
                    {
                        report.rejectedExamples.append(
                            "\(file):\(parser.line): \(labels) repeats \(timestamp) ms with another value: duplicate sample for timestamp"
                        )
                    }
                }
                if timestamp > previous.timestamp { newest[labels] = sample }
            } else {
                newest[labels] = sample
            }
            batch.append(LabeledSample(labels: labels, sample: sample))
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        report.series = newest.count
        return report
    }

    /// The parser's next entry, its syntax error as a `BackfillError` naming `file`.
    private static func next(_ parser: inout ExpositionParser, file: String) throws(BackfillError) -> ExpositionEntry? {
        do {
            return try parser.next()
        } catch {
            throw .parse(file: file, line: error.line, message: error.message)
        }
    }

    /// Checks the whole file: OpenMetrics syntax, `# EOF`, and a timestamp on every sample.
    public static func check(_ bytes: [UInt8], file: String) throws(BackfillError) {
        var parser = ExpositionParser(bytes: bytes, format: .openMetrics)
        while let entry = try next(&parser, file: file) {
            if case .sample = entry, parser.timestampMilliseconds == nil {
                throw .parse(
                    file: file, line: parser.line,
                    message: "expected a timestamp for series \(parser.metricName()); backfilled samples need one")
            }
        }
    }
}

/// Why an import stopped.
public enum BackfillError: Error, Equatable, CustomStringConvertible {
    /// The file is not valid OpenMetrics, or a sample lacks a timestamp; nothing was written.
    case parse(file: String, line: Int, message: String)
    /// The store could not write a batch; batches before it were written.
    case append(file: String, detail: String)

    /// `file:line: message`, or what the store said.
    public var description: String {
        switch self {
        case .parse(let file, let line, let message):
            return "\(file):\(line): \(message) (nothing was imported)"
        case .append(let file, let detail):
            return "importing \(file): the store failed to write: \(detail)"
        }
    }
}

/// Builds each series' `Labels` once: samples of a series usually follow one another, so the
/// last one is checked first, then a table keyed by the series' bytes as written.
struct SeriesCache {
    private var lastBytes: ArraySlice<UInt8> = []
    private var lastLabels = Labels.empty
    private var table: [ArraySlice<UInt8>: Labels] = [:]

    mutating func labels(for parser: ExpositionParser) -> Labels {
        let written = parser.bytes[parser.seriesBytes]
        if !lastBytes.isEmpty, written == lastBytes { return lastLabels }
        let labels: Labels
        if let known = table[written] {
            labels = known
        } else {
            var pairs = [Series.Label(name: Labels.metricName, value: parser.metricName())]
            for index in 0..<parser.labelCount {
                pairs.append(Series.Label(name: parser.labelName(at: index), value: parser.labelValue(at: index)))
            }
            labels = Labels(pairs)
            table[written] = labels
        }
        lastBytes = written
        lastLabels = labels
        return labels
    }
}
