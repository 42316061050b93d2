import Evaluator
import PromQL
import Series
import Web

/// Rule queries against the embedded store, evaluated on the query threads that API queries
/// use (Prometheus's rules share the engine and its `--query.max-concurrency`), so rule
/// evaluation never holds Swift's cooperative pool.
struct ExecutorQueryEngine: QueryEngine {
    let engine: PromQLEngine
    let source: any SeriesSource
    let executor: QueryExecutor

    func instantQuery(_ expr: Expr, at time: Int64) async throws -> [VectorSample] {
        let engine = engine
        let source = source
        let value = try await executor.run { _ in try engine.instantQuery(expr, at: time, source: source).value }
        switch value {
        case .vector(let samples): return samples
        case .scalar(_, let v): return [VectorSample(labels: .empty, timestamp: time, value: v)]
        default: throw RuleQueryError("rule result is not a vector or scalar")
        }
    }
}
