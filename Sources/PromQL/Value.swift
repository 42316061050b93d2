import Series

/// One sample of an instant vector result.
public struct VectorSample: Sendable, Equatable {
    /// The series labels.
    public var labels: Labels
    /// Milliseconds since the epoch: the evaluation time.
    public var timestamp: Int64
    /// The sample value.
    public var value: Double

    /// Creates a sample.
    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }
}

/// One series of a matrix result: labels and points in time order.
public struct MatrixSeries: Sendable, Equatable {
    /// The series labels.
    public var labels: Labels
    /// The points of the series.
    public var samples: [Sample]

    /// Creates a series.
    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// The value a query produced.
public enum QueryValue: Sendable, Equatable {
    /// A scalar at a time (milliseconds).
    case scalar(timestamp: Int64, value: Double)
    /// A string at a time (milliseconds).
    case string(timestamp: Int64, value: String)
    /// An instant vector.
    case vector([VectorSample])
    /// A range vector, or the result of a range query; series sorted by labels.
    case matrix([MatrixSeries])
}

/// The result of a query: its value plus the annotations Prometheus would attach.
public struct QueryResult: Sendable {
    /// The value.
    public var value: QueryValue
    /// Warnings, each worded as Prometheus's `PromQL warning: ...`.
    public var warnings: [String]
    /// Informational notes, each worded as Prometheus's `PromQL info: ...`.
    public var infos: [String]
    /// What the evaluation cost.
    public var statistics = QueryStatistics()
}

/// A sample inside the evaluator, carrying the delayed `__name__` removal flag.
struct Element {
    var labels: Labels
    var value: Double
    /// Set when the metric name is to be removed once evaluation ends.
    var dropName = false
    /// The timestamp of the underlying raw sample, for `timestamp()`; nil once computed.
    var sampleTime: Int64?
}

/// A series of a range vector inside the evaluator. The samples are a slice of the loaded
/// series where possible, so selecting a range copies nothing.
struct RangeSeries {
    var labels: Labels
    var samples: ArraySlice<Sample>
    var dropName = false
}

/// The range a range-vector argument covered, as rate-like functions need it.
struct RangeWindow {
    /// Exclusive start of the window, milliseconds.
    var start: Int64
    /// Inclusive end of the window, milliseconds.
    var end: Int64
    /// The range in milliseconds.
    var range: Int64
}

/// A value during evaluation.
enum EvalValue {
    case scalar(Double)
    case string(String)
    case vector([Element])
    case matrix([RangeSeries], RangeWindow)
}
