import Evaluator
import PromQL
import Series

/// Rules evaluated against a Prometheus-compatible query API instead of the embedded store
/// (`--datasource.url`, as vmalert's `-datasource.url`): each rule's expression, printed in
/// canonical PromQL, is sent as an instant query at the evaluation time.
public struct RemoteQueryEngine: QueryEngine {
    /// The API.
    public let client: PrometheusAPIClient

    /// An engine querying `client`.
    public init(client: PrometheusAPIClient) {
        self.client = client
    }

    /// See `QueryEngine.instantQuery`: a vector as it comes, a scalar as one sample.
    public func instantQuery(_ expr: Expr, at time: Int64) async throws -> [VectorSample] {
        let value: QueryValue
        do {
            value = try await client.instantQuery(expr.description, at: time)
        } catch {
            throw RuleQueryError("query to \(client.baseURL) failed: \(error.description)")
        }
        switch value {
        case .vector(let samples): return samples
        case .scalar(_, let v): return [VectorSample(labels: .empty, timestamp: time, value: v)]
        default: throw RuleQueryError("rule result is not a vector or scalar")
        }
    }
}
