/// Why the head refused a sample, in Prometheus's words.
public enum AppendError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The timestamp is older than the series' newest sample.
    case outOfOrderSample
    /// The series already has a sample at this timestamp with a different value.
    case duplicateSampleForTimestamp
    /// The timestamp is older than the head accepts (before the retention cutoff).
    case outOfBounds
    /// The sample has no labels at all.
    case emptyLabelSet

    /// The message Prometheus uses for the same error.
    public var description: String {
        switch self {
        case .outOfOrderSample: return "out of order sample"
        case .duplicateSampleForTimestamp: return "duplicate sample for timestamp"
        case .outOfBounds: return "out of bounds"
        case .emptyLabelSet: return "empty labelset"
        }
    }
}

/// What became of one appended sample.
public enum AppendOutcome: Hashable, Sendable {
    /// The sample was stored.
    case appended
    /// The series already held this exact sample (same timestamp and value bits): silently ignored.
    case ignoredDuplicate
    /// The sample was refused and counted.
    case rejected(AppendError)
}
