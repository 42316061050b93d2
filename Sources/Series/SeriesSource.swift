/// Storage as PromQL reads it: series chosen by label matchers, each read through an iterator.
///
/// The in-memory fixture (`MemorySeriesSource`) and the TSDB both conform, so the engine runs
/// unchanged on either. A chunked store returns series whose iterators decode chunks lazily.
public protocol SeriesSource: Sendable {
    /// Returns the series whose labels match every matcher and that may hold samples in
    /// `minTime...maxTime` (milliseconds, inclusive), sorted by labels.
    func select(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> [StoredSeries]
}

/// Iterates the samples of one series in timestamp order.
public protocol SampleIterator {
    /// The next sample, or nil at the end. Throws `SeriesError.nativeHistogram` on a
    /// native-histogram sample, which this model does not represent.
    mutating func next() throws -> Sample?

    /// Appends every remaining sample with a timestamp in `minTime...maxTime` to `samples`.
    /// The default calls `next()`; a store conforms to read its chunks in one loop instead of
    /// one dynamically dispatched call per sample.
    mutating func appendRemaining(to samples: inout [Sample], minTime: Int64, maxTime: Int64) throws
}

extension SampleIterator {
    /// See `SampleIterator.appendRemaining(to:minTime:maxTime:)`.
    public mutating func appendRemaining(to samples: inout [Sample], minTime: Int64, maxTime: Int64) throws {
        while let sample = try next() {
            if sample.timestamp >= minTime && sample.timestamp <= maxTime { samples.append(sample) }
        }
    }
}

/// A series found by `SeriesSource.select`: its labels and a way to read its samples.
public struct StoredSeries: Sendable {
    /// The series' labels.
    public let labels: Labels
    private let iteratorFactory: @Sendable () -> any SampleIterator

    /// Creates a series whose samples are read through iterators made by `makeIterator`.
    public init(labels: Labels, makeIterator: @escaping @Sendable () -> any SampleIterator) {
        self.labels = labels
        self.iteratorFactory = makeIterator
    }

    /// A fresh iterator positioned before the first sample in the selected time range.
    public func makeIterator() -> any SampleIterator {
        iteratorFactory()
    }
}

/// Errors storage raises while PromQL reads it.
public enum SeriesError: Error, Equatable, CustomStringConvertible {
    /// The series holds a native histogram sample; only float samples are supported.
    case nativeHistogram(series: String)

    /// Prometheus-style wording of the error.
    public var description: String {
        switch self {
        case .nativeHistogram(let series):
            return "native histograms are not supported (series \(series))"
        }
    }
}
