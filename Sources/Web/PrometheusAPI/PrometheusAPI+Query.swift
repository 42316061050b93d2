import PromQL
import Series

/// `/api/v1/query` and `/api/v1/query_range`.
extension PrometheusAPI {
    /// An instant query: `query`, `time` (default now), `timeout`, `lookback_delta`, `stats`, `limit`.
    public func query(_ form: FormValues) async throws(APIError) -> APIAnswer {
        let limit = try APIParameters.limit(form["limit"])
        let time = try APIParameters.time(form, "time", default: now())
        let settings = try QuerySettings(form, options: options)
        let expr = try APIParameters.query(form) { .invalidParameter("query", $0) }
        return try await execute(settings, limit: limit, form: form) { engine, source in
            try engine.prepareInstantQuery(expr, at: time, source: source)
        }
    }

    /// A range query: `query`, `start`, `end`, `step`, `timeout`, `lookback_delta`, `stats`, `limit`.
    public func queryRange(_ form: FormValues) async throws(APIError) -> APIAnswer {
        let limit = try APIParameters.limit(form["limit"])
        let start: Int64
        let end: Int64
        do {
            start = try APIParameters.time(form["start"])
        } catch {
            throw .invalidParameter("start", error.message)
        }
        do {
            end = try APIParameters.time(form["end"])
        } catch {
            throw .invalidParameter("end", error.message)
        }
        guard end >= start else { throw .invalidParameter("end", "end timestamp must not be before start time") }
        let stepNanoseconds: Int64
        do {
            stepNanoseconds = try APIParameters.duration(form["step"])
        } catch {
            throw .invalidParameter("step", error.message)
        }
        let step = stepNanoseconds / 1_000_000
        guard stepNanoseconds > 0, step > 0 else {
            throw .invalidParameter(
                "step", "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        let (span, overflow) = end.subtractingReportingOverflow(start)
        if overflow || span / step > APIParameters.maxPointsPerSeries {
            throw APIError(
                .badData,
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
            )
        }
        let settings = try QuerySettings(form, options: options)
        let expr = try APIParameters.query(form) { APIError(.badData, $0) }
        guard expr.type == .scalar || expr.type == .vector else {
            throw APIError(
                .badData,
                "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        return try await execute(settings, limit: limit, form: form) { engine, source in
            try engine.prepareRangeQuery(expr, start: start, end: end, step: step, source: source)
        }
    }

    /// The most samples a query may be foreseen to read (`PreparedQuery.foreseenSamples`) and
    /// still be evaluated on the request's event loop: about a millisecond of work for range
    /// functions such as `rate` (6 ns a sample measured on the benchmark workload), a few for
    /// those that sort their window (`quantile_over_time`). Larger queries, and queries with
    /// subqueries, go to the query threads. A small query so skips two thread wake-ups, 50-100 µs
    /// on a 2-core machine, more on a busy one.
    static let inPlaceSamples = 100_000.0

    /// Selects the query's series on the request's thread, evaluates it there when it is small
    /// or on the query threads when not, and renders the answer.
    private func execute(
        _ settings: QuerySettings, limit: Int, form: FormValues,
        _ prepare: (PromQLEngine, any SeriesSource) throws -> PreparedQuery
    ) async throws(APIError) -> APIAnswer {
        let began = ContinuousClock.now
        let wantsStatistics = !form["stats"].isEmpty
        var engine = PromQLEngine(
            lookbackDelta: settings.lookbackDelta, maxSamples: settings.maxSamples, timeout: settings.timeout)
        engine.perStepStatistics = form["stats"] == "all"
        metrics?.queries.inc()
        defer { metrics?.queries.dec() }
        let outcome: (QueryResult, Duration)
        do {
            let prepared = try inPlace { try prepare(engine, db) }
            if let foreseen = prepared.foreseenSamples, foreseen <= Self.inPlaceSamples {
                outcome = (try inPlace { try prepared.run() }, .zero)
            } else {
                outcome = try await offPool { ticket in
                    if ticket.isCancelled { throw QueryError.canceled }
                    return (try prepared.run(isCancelled: { ticket.isCancelled }), ticket.queueTime)
                }
            }
        } catch {
            metrics?.failures.labels(error.kind.rawValue).inc()
            throw error
        }
        var (result, queueTime) = outcome
        record(result.statistics, queueTime: queueTime)
        var warnings = result.warnings
        if limit > 0 { warnings += Self.truncate(&result.value, to: limit) }
        var writer = JSONWriter(capacity: PrometheusJSON.estimatedSize(of: result.value))
        writer.byte(UInt8(ascii: "{"))
        PrometheusJSON.result(result.value, into: &writer)
        if wantsStatistics {
            writer.raw(",\"stats\":")
            PrometheusJSON.statistics(
                result.statistics, queueTime: queueTime, execTotalTime: ContinuousClock.now - began, into: &writer)
        }
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes, warnings: warnings, infos: result.infos)
    }

    private func record(_ statistics: QueryStatistics, queueTime: Duration) {
        guard let metrics else { return }
        func seconds(_ duration: Duration) -> Double {
            let (whole, attoseconds) = duration.components
            return Double(whole) + Double(attoseconds) / 1e18
        }
        metrics.duration.labels("queue_time").observe(seconds(queueTime))
        metrics.duration.labels("prepare_time").observe(seconds(statistics.preparationTime))
        metrics.duration.labels("inner_eval").observe(seconds(statistics.innerEvalTime))
        metrics.duration.labels("result_sort").observe(seconds(statistics.resultSortTime))
        metrics.samples.inc(Double(statistics.totalQueryableSamples))
    }

    /// Keeps the first `limit` series of a vector or matrix, as Prometheus's `truncateResults`;
    /// returns the warning to attach when it cut any.
    static func truncate(_ value: inout QueryValue, to limit: Int) -> [String] {
        switch value {
        case .vector(let samples) where samples.count > limit:
            value = .vector(Array(samples.prefix(limit)))
        case .matrix(let series) where series.count > limit:
            value = .matrix(Array(series.prefix(limit)))
        default:
            return []
        }
        return ["results truncated due to limit"]
    }
}

/// The per-request engine settings: `timeout` and `lookback_delta` within the server's limits.
struct QuerySettings: Sendable {
    var timeout: Duration
    var lookbackDelta: Int64
    var maxSamples: Int

    init(_ form: FormValues, options: PrometheusAPI.Options) throws(APIError) {
        timeout = options.timeout
        if !form["timeout"].isEmpty {
            let requested: Int64
            do {
                requested = try APIParameters.duration(form["timeout"])
            } catch {
                throw .invalidParameter("timeout", error.message)
            }
            timeout = min(timeout, .nanoseconds(max(requested, 0)))
        }
        lookbackDelta = options.lookbackDelta
        if !form["lookback_delta"].isEmpty {
            let requested: Int64
            do {
                requested = try APIParameters.duration(form["lookback_delta"])
            } catch {
                throw APIError(.badData, "error parsing lookback delta duration: \(error.message)")
            }
            if requested / 1_000_000 > 0 { lookbackDelta = requested / 1_000_000 }
        }
        maxSamples = options.maxSamples
    }
}
