/// Errors raised while evaluating a query, worded as Prometheus words them.
public enum QueryError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A parse or type error.
    case parse(ParseError)
    /// An evaluation error, e.g. `vector cannot contain metrics with the same labelset`.
    case execution(String)
    /// The query read more samples than the engine's limit.
    case tooManySamples
    /// The query ran longer than the engine's timeout.
    case timeout
    /// The task running the query was cancelled.
    case canceled
    /// The query met a native histogram sample, which this engine does not support.
    case nativeHistogram(String)

    /// Prometheus's wording.
    public var description: String {
        switch self {
        case .parse(let error): return error.description
        case .execution(let message): return message
        case .tooManySamples:
            return "query processing would load too many samples into memory in query execution"
        case .timeout: return "query timed out in expression evaluation"
        case .canceled: return "query was canceled in expression evaluation"
        case .nativeHistogram(let message): return message
        }
    }
}
