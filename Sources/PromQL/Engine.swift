import Series

/// Evaluates PromQL queries over a `SeriesSource`, with Prometheus 3.x semantics for float samples.
///
/// Native histogram samples are not supported: a query that reads one fails with
/// `QueryError.nativeHistogram`.
public struct PromQLEngine: Sendable {
    /// How far back an instant selector looks for a sample, in milliseconds (default 5m).
    public var lookbackDelta: Int64
    /// The most samples a query may hold at once before failing with `QueryError.tooManySamples`.
    public var maxSamples: Int
    /// The longest a query may run before failing with `QueryError.timeout`; nil for no limit.
    public var timeout: Duration?
    /// The step of subqueries written without one (`x[1h:]`), in milliseconds (default 1m).
    public var defaultSubqueryStep: Int64
    /// Asked between evaluation steps; returning true stops the query with
    /// `QueryError.canceled`. For callers that run queries on threads of their own, where
    /// `Task.isCancelled` cannot reach (the query API cancels when its request goes away).
    public var isCancelled: (@Sendable () -> Bool)?
    /// Whether range queries record the samples read at each step in
    /// `QueryStatistics.samplesPerStep` (Prometheus's `stats=all`).
    public var perStepStatistics = false

    /// Creates an engine with Prometheus's defaults unless told otherwise.
    public init(
        lookbackDelta: Int64 = 300_000, maxSamples: Int = 50_000_000,
        timeout: Duration? = .seconds(120),
        defaultSubqueryStep: Int64 = 60_000
    ) {
        self.lookbackDelta = lookbackDelta
        self.maxSamples = maxSamples
        self.timeout = timeout
        self.defaultSubqueryStep = defaultSubqueryStep
    }

    /// Evaluates `expr` at one time (milliseconds since the epoch).
    public func instantQuery(_ expr: String, at time: Int64, source: any SeriesSource) throws
        -> QueryResult
    {
        try instantQuery(try parse(expr), at: time, source: source)
    }

    /// Evaluates `expr` at every `step` milliseconds from `start` to `end` inclusive.
    public func rangeQuery(
        _ expr: String, start: Int64, end: Int64, step: Int64, source: any SeriesSource
    ) throws
        -> QueryResult
    {
        try rangeQuery(try parse(expr), start: start, end: end, step: step, source: source)
    }

    /// Parses `text`, failing with `QueryError.parse` on bad syntax.
    public func parse(_ text: String) throws -> Expr {
        do {
            return try PromQLParser.parse(text)
        } catch let error as ParseError {
            throw QueryError.parse(error)
        }
    }

    /// Selects the series of `expr` for `start...end` and returns the query ready to read
    /// them and run `evaluate`.
    private func prepare(
        _ expr: Expr, start: Int64, end: Int64, steps: Int, source: any SeriesSource,
        evaluate: @escaping (Evaluator, inout QueryStatistics) throws -> QueryResult
    ) throws -> PreparedQuery {
        let began = ContinuousClock.now
        let deadline = timeout.map { began.advanced(by: $0) }
        let evaluator = Evaluator(
            source: source, start: start, end: end, lookbackDelta: lookbackDelta,
            defaultSubqueryStep: defaultSubqueryStep, maxSamples: maxSamples, deadline: deadline,
            isCancelled: isCancelled)
        try evaluator.select(expr)
        return PreparedQuery(
            evaluator: evaluator, foreseenSamples: evaluator.foreseenSamples(expr, steps: steps),
            selectionTime: ContinuousClock.now - began, evaluate: evaluate)
    }

    private static func finish(_ statistics: inout QueryStatistics, _ evaluator: Evaluator) {
        statistics.totalQueryableSamples = evaluator.totalSamples
        statistics.peakSamples = evaluator.peakSamples
    }

    /// Evaluates a parsed expression at one time.
    public func instantQuery(_ expr: Expr, at time: Int64, source: any SeriesSource) throws
        -> QueryResult
    {
        try prepareInstantQuery(expr, at: time, source: source).run()
    }

    /// Selects the series of an instant query; `run()` on the result evaluates it.
    public func prepareInstantQuery(_ expr: Expr, at time: Int64, source: any SeriesSource) throws
        -> PreparedQuery
    {
        try prepare(expr, start: time, end: time, steps: 1, source: source) { evaluator, statistics in
            try evaluateInstant(expr, at: time, evaluator, &statistics)
        }
    }

    private func evaluateInstant(
        _ expr: Expr, at time: Int64, _ evaluator: Evaluator, _ statistics: inout QueryStatistics
    ) throws -> QueryResult {
        let evalStart = ContinuousClock.now
        let evaluated = try evaluator.eval(expr, at: time)
        statistics.innerEvalTime = ContinuousClock.now - evalStart
        if perStepStatistics { statistics.samplesPerStep = [(time, evaluator.totalSamples)] }
        let value: QueryValue
        switch evaluated {
        case .scalar(let v):
            value = .scalar(timestamp: time, value: v)
        case .string(let s):
            value = .string(timestamp: time, value: s)
        case .vector(let elements):
            let cleaned = elements.map {
                VectorSample(
                    labels: $0.dropName ? $0.labels.droppingMetricName() : $0.labels, timestamp: time,
                    value: $0.value)
            }
            if Set(cleaned.map(\.labels)).count != cleaned.count {
                throw QueryError.execution("vector cannot contain metrics with the same labelset")
            }
            value = .vector(cleaned)
        case .matrix(let series, _):
            let cleaned = series.map {
                MatrixSeries(
                    labels: $0.dropName ? $0.labels.droppingMetricName() : $0.labels, samples: Array($0.samples))
            }
            if Set(cleaned.map(\.labels)).count != cleaned.count {
                throw QueryError.execution("vector cannot contain metrics with the same labelset")
            }
            let sortStart = ContinuousClock.now
            value = .matrix(cleaned.sorted { $0.labels < $1.labels })
            statistics.resultSortTime = ContinuousClock.now - sortStart
        }
        Self.finish(&statistics, evaluator)
        return QueryResult(
            value: value, warnings: evaluator.warnings, infos: evaluator.infos, statistics: statistics)
    }

    /// Evaluates a parsed expression over a range; the result is always a matrix sorted by labels.
    public func rangeQuery(
        _ expr: Expr, start: Int64, end: Int64, step: Int64, source: any SeriesSource
    ) throws
        -> QueryResult
    {
        try prepareRangeQuery(expr, start: start, end: end, step: step, source: source).run()
    }

    /// Selects the series of a range query; `run()` on the result evaluates it.
    public func prepareRangeQuery(
        _ expr: Expr, start: Int64, end: Int64, step: Int64, source: any SeriesSource
    ) throws
        -> PreparedQuery
    {
        guard step > 0 else {
            throw QueryError.execution(
                "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard expr.type == .scalar || expr.type == .vector else {
            throw QueryError.execution(
                "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector"
            )
        }
        let steps = StepTimes(start: start, interval: step, count: Int((end - start) / step) + 1)
        return try prepare(expr, start: start, end: end, steps: steps.count, source: source) {
            evaluator, statistics in
            try evaluateRange(expr, steps, evaluator, &statistics)
        }
    }

    private func evaluateRange(
        _ expr: Expr, _ steps: StepTimes, _ evaluator: Evaluator, _ statistics: inout QueryStatistics
    ) throws -> QueryResult {
        let evalStart = ContinuousClock.now
        evaluator.samplesByStep = Array(repeating: 0, count: steps.count)
        evaluator.selectedByStep = Array(repeating: 0, count: steps.count)
        let evaluated = try evaluator.seriesSteps(expr, steps)
        if perStepStatistics {
            statistics.samplesPerStep = (0..<steps.count).map { (steps.time($0), evaluator.selectedByStep[$0]) }
        }
        // Series with equal labels are one series of the result, unless they meet at a step.
        var index: [Labels: Int] = [:]
        var series: [(labels: Labels, dropName: Bool, points: [Sample])] = []
        for item in evaluated {
            let points = zip(item.steps, item.values).map { Sample(timestamp: steps.time(Int($0)), value: $1) }
            guard let i = index[item.labels] else {
                index[item.labels] = series.count
                series.append((item.labels, item.dropName, points))
                continue
            }
            let merged = (series[i].points + points).sorted { $0.timestamp < $1.timestamp }
            for (a, b) in zip(merged, merged.dropFirst()) where a.timestamp == b.timestamp {
                throw QueryError.execution("vector cannot contain metrics with the same labelset")
            }
            series[i].points = merged
            series[i].dropName = series[i].dropName || item.dropName
        }
        let cleaned = series.map {
            MatrixSeries(labels: $0.dropName ? $0.labels.droppingMetricName() : $0.labels, samples: $0.points)
        }
        if Set(cleaned.map(\.labels)).count != cleaned.count {
            throw QueryError.execution("vector cannot contain metrics with the same labelset")
        }
        let sortStart = ContinuousClock.now
        statistics.innerEvalTime = sortStart - evalStart
        // Sorting positions moves integers, not series (with their reference counts).
        let sorted = cleaned.indices.sorted { cleaned[$0].labels < cleaned[$1].labels }.map { cleaned[$0] }
        statistics.resultSortTime = ContinuousClock.now - sortStart
        Self.finish(&statistics, evaluator)
        return QueryResult(
            value: .matrix(sorted), warnings: evaluator.warnings, infos: evaluator.infos, statistics: statistics)
    }
}

/// A query whose series are selected and not yet read. `foreseenSamples` tells how much it
/// will read before it reads anything, so a caller can choose where to run it: the query API
/// evaluates small queries on the request's own thread and large ones on its query threads.
///
/// Not for concurrent use: one thread at a time, and `run()` once.
public final class PreparedQuery: @unchecked Sendable {
    /// The samples evaluation is foreseen to read, at one sample every 10 s (Prometheus's
    /// `totalQueryableSamples` for such data); nil for queries with subqueries.
    public let foreseenSamples: Double?
    private let evaluator: Evaluator
    private let selectionTime: Duration
    private let evaluate: (Evaluator, inout QueryStatistics) throws -> QueryResult

    fileprivate init(
        evaluator: Evaluator, foreseenSamples: Double?, selectionTime: Duration,
        evaluate: @escaping (Evaluator, inout QueryStatistics) throws -> QueryResult
    ) {
        self.evaluator = evaluator
        self.foreseenSamples = foreseenSamples
        self.selectionTime = selectionTime
        self.evaluate = evaluate
    }

    /// Reads the selected series' samples and evaluates. `isCancelled`, when given, replaces
    /// the engine's for this run.
    public func run(isCancelled: (@Sendable () -> Bool)? = nil) throws -> QueryResult {
        if let isCancelled { evaluator.isCancelled = isCancelled }
        let began = ContinuousClock.now
        try evaluator.load()
        var statistics = QueryStatistics()
        statistics.preparationTime = selectionTime + (ContinuousClock.now - began)
        return try evaluate(evaluator, &statistics)
    }
}
