import PromQL
import Series

/// How rules run queries: an instant vector at a time. The local PromQL engine is one
/// conformance; a remote Prometheus-compatible API can be another (Prometheus's
/// `rules.QueryFunc`).
public protocol QueryEngine: Sendable {
    /// Evaluates `expr` at `time` (milliseconds since the epoch). A scalar result comes back as
    /// one sample without labels; strings and range vectors are errors.
    func instantQuery(_ expr: Expr, at time: Int64) async throws -> [VectorSample]
}

/// Why a rule's query failed, worded as Prometheus words it.
public struct RuleQueryError: Error, CustomStringConvertible, Sendable {
    /// The message, e.g. `rule result is not a vector or scalar`.
    public let description: String

    /// Creates an error with Prometheus's wording.
    public init(_ description: String) {
        self.description = description
    }
}

/// The local PromQL engine reading a `SeriesSource`.
public struct LocalQueryEngine: QueryEngine {
    /// The engine (lookback delta, limits).
    public var engine: PromQLEngine
    /// The storage read.
    public var source: any SeriesSource

    /// Creates an engine over `source`.
    public init(engine: PromQLEngine = PromQLEngine(), source: any SeriesSource) {
        self.engine = engine
        self.source = source
    }

    /// See `QueryEngine.instantQuery`.
    public func instantQuery(_ expr: Expr, at time: Int64) async throws -> [VectorSample] {
        let result = try engine.instantQuery(expr, at: time, source: source)
        return try Self.vector(result.value, at: time)
    }

    /// Prometheus's `EngineQueryFunc` conversion: vectors as they are, a scalar as one sample.
    static func vector(_ value: QueryValue, at time: Int64) throws -> [VectorSample] {
        switch value {
        case .vector(let samples): return samples
        case .scalar(_, let v): return [VectorSample(labels: .empty, timestamp: time, value: v)]
        default: throw RuleQueryError("rule result is not a vector or scalar")
        }
    }
}
