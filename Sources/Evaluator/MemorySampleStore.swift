import Foundation
import PromQL
import Series

/// An in-memory store that rules both read and write: the storage behind `test rules` and
/// unit tests. Appends in time order are O(1); reads binary-search the requested range.
public final class MemorySampleStore: SeriesSource, SampleAppender, @unchecked Sendable {
    private let lock = NSLock()
    private var series: [Labels: [Sample]] = [:]
    private var sortedLabels: [Labels]?

    /// Creates a store holding the series of `source`.
    public init(source: MemorySeriesSource = MemorySeriesSource()) {
        for entry in source.allSeries { series[entry.labels] = entry.samples }
    }

    /// Everything stored, as a `MemorySeriesSource`.
    public var source: MemorySeriesSource {
        lock.withLock {
            var out = MemorySeriesSource()
            for (labels, samples) in series { out.append(labels: labels, samples: samples) }
            return out
        }
    }

    /// See `SampleAppender.append`. A sample at an existing timestamp replaces the old one
    /// (the rule test harness writes each input series once and evaluates in time order).
    public func append(_ samples: [LabeledSample]) throws -> AppendSummary {
        var summary = AppendSummary()
        lock.withLock {
            for item in samples {
                let new = item.sample
                summary.record(.appended)
                guard var list = series[item.labels] else {
                    series[item.labels] = [new]
                    sortedLabels = nil
                    continue
                }
                series[item.labels] = nil
                if let last = list.last, last.timestamp >= new.timestamp {
                    let index = Self.lowerBound(list, new.timestamp)
                    if index < list.count && list[index].timestamp == new.timestamp {
                        list[index] = new
                    } else {
                        list.insert(new, at: index)
                    }
                } else {
                    list.append(new)
                }
                series[item.labels] = list
            }
        }
        return summary
    }

    private static func lowerBound(_ list: [Sample], _ time: Int64) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].timestamp < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// See `SeriesSource.select`.
    public func select(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> [StoredSeries] {
        lock.withLock {
            if sortedLabels == nil { sortedLabels = series.keys.sorted() }
            var out: [StoredSeries] = []
            for labels in sortedLabels! where matchers.allSatisfy({ $0.matches(labels[$0.name]) }) {
                let list = series[labels] ?? []
                let from = Self.lowerBound(list, minTime)
                let to = Self.lowerBound(list, maxTime + 1)
                guard from < to else { continue }
                let window = Array(list[from..<to])
                out.append(StoredSeries(labels: labels) { StoreIterator(samples: window) })
            }
            return out
        }
    }
}

private struct StoreIterator: SampleIterator {
    let samples: [Sample]
    var index = 0

    mutating func next() throws -> Sample? {
        guard index < samples.count else { return nil }
        defer { index += 1 }
        return samples[index]
    }
}

/// A `QueryEngine` over a `MemorySampleStore`.
public struct MemoryStoreQueryEngine: QueryEngine {
    /// The store read.
    public let store: MemorySampleStore
    /// The engine.
    public var engine: PromQLEngine

    /// Creates an engine over `store`.
    public init(store: MemorySampleStore, engine: PromQLEngine = PromQLEngine()) {
        self.store = store
        self.engine = engine
    }

    /// See `QueryEngine.instantQuery`.
    public func instantQuery(_ expr: Expr, at time: Int64) async throws -> [VectorSample] {
        try await LocalQueryEngine(engine: engine, source: store).instantQuery(expr, at: time)
    }
}
