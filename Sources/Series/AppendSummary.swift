
/// One sample with the labels of its series, as a scrape or rule evaluation produces it.
public struct LabeledSample: Sendable, Hashable {
    /// The series' labels.
    public var labels: Labels
    /// The sample.
    public var sample: Sample

    /// Creates a labelled sample.
    public init(labels: Labels, sample: Sample) {
        self.labels = labels
        self.sample = sample
    }

    /// Creates a labelled sample from a timestamp (milliseconds) and a value.
    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.init(labels: labels, sample: Sample(timestamp: timestamp, value: value))
    }
}

/// What one commit did with its samples, for the caller's own counters and logs.
public struct AppendSummary: Sendable, Equatable {
    /// Samples stored.
    public var appended = 0
    /// Exact repeats of a stored sample, silently ignored as Prometheus does.
    public var ignoredDuplicates = 0
    /// Samples refused, by reason.
    public var rejected: [AppendError: Int] = [:]

    /// Creates an empty summary.
    public init() {}

    /// Counts one outcome.
    public mutating func record(_ outcome: AppendOutcome) {
        switch outcome {
        case .appended: appended += 1
        case .ignoredDuplicate: ignoredDuplicates += 1
        case .rejected(let error): rejected[error, default: 0] += 1
        }
    }
}

/// Where samples are written: the store behind scrapes, rule results and imports (Prometheus's
/// `storage.Appender`, one call per commit).
public protocol SampleAppender: Sendable {
    /// Appends one commit of samples, judging each by Prometheus's rules (out of order,
    /// duplicate timestamp, out of bounds). Refused samples are counted in the summary, not
    /// thrown; a throw means the commit could not be made durable.
    func append(_ samples: [LabeledSample]) throws -> AppendSummary
}
