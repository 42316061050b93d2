/// What evaluating one query cost, as Prometheus reports it under `stats` in its query API
/// (`util/stats`): how many samples the selectors read, the most held at once, and where the
/// time went.
public struct QueryStatistics: Sendable, Equatable {
    /// Samples read from storage by the query's selectors, summed over every step
    /// (Prometheus's `totalQueryableSamples`).
    public var totalQueryableSamples = 0
    /// The most samples one evaluation step held at once (Prometheus's `peakSamples`).
    public var peakSamples = 0
    /// Samples read per step of a range query, as (step time in milliseconds, samples); filled
    /// only when `PromQLEngine.perStepStatistics` is set (Prometheus's `stats=all`).
    public var samplesPerStep: [(timestamp: Int64, samples: Int)] = []
    /// Time spent selecting series and loading their samples from storage.
    public var preparationTime: Duration = .zero
    /// Time spent evaluating the expression over the loaded samples.
    public var innerEvalTime: Duration = .zero
    /// Time spent sorting the result.
    public var resultSortTime: Duration = .zero

    /// Creates empty statistics.
    public init() {}

    /// The whole evaluation: preparation, evaluation and sorting.
    public var evalTotalTime: Duration { preparationTime + innerEvalTime + resultSortTime }

    public static func == (lhs: QueryStatistics, rhs: QueryStatistics) -> Bool {
        lhs.totalQueryableSamples == rhs.totalQueryableSamples && lhs.peakSamples == rhs.peakSamples
            && lhs.samplesPerStep.map(\.timestamp) == rhs.samplesPerStep.map(\.timestamp)
            && lhs.samplesPerStep.map(\.samples) == rhs.samplesPerStep.map(\.samples)
            && lhs.preparationTime == rhs.preparationTime && lhs.innerEvalTime == rhs.innerEvalTime
            && lhs.resultSortTime == rhs.resultSortTime
    }
}
