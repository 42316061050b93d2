import PromQL

/// Where rule results are written: recording rule series, `ALERTS`, `ALERTS_FOR_STATE` and
/// stale markers. The TSDB head conforms; tests use `MemorySampleStore`.
public protocol SampleAppender: Sendable {
    /// Appends one rule's output for one evaluation, as one commit. A stale marker has the value
    /// `Sample.staleNaN`.
    func append(_ samples: [VectorSample]) async throws
}
