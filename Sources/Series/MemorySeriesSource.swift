/// An in-memory `SeriesSource`: the fixture behind promqltest and unit tests.
public struct MemorySeriesSource: SeriesSource {
    /// One series held in memory.
    public struct Entry: Sendable {
        /// The series' labels.
        public var labels: Labels
        /// Float samples in timestamp order.
        public var samples: [Sample]
        /// Timestamps of native histogram samples, which the engine refuses to read.
        public var histogramTimestamps: [Int64]

        /// Creates an entry.
        public init(labels: Labels, samples: [Sample], histogramTimestamps: [Int64] = []) {
            self.labels = labels
            self.samples = samples
            self.histogramTimestamps = histogramTimestamps
        }
    }

    private var entries: [Labels: Entry] = [:]

    /// Creates an empty source.
    public init() {}

    /// Adds samples to the series `labels`, keeping samples sorted; a sample at an existing
    /// timestamp replaces the old one.
    public mutating func append(labels: Labels, samples: [Sample], histogramTimestamps: [Int64] = []) {
        var entry = entries[labels] ?? Entry(labels: labels, samples: [])
        var byTime: [Int64: Double] = [:]
        for sample in entry.samples { byTime[sample.timestamp] = sample.value }
        for sample in samples { byTime[sample.timestamp] = sample.value }
        entry.samples = byTime.map { Sample(timestamp: $0.key, value: $0.value) }.sorted {
            $0.timestamp < $1.timestamp
        }
        entry.histogramTimestamps = (entry.histogramTimestamps + histogramTimestamps).sorted()
        entries[labels] = entry
    }

    /// All series held, sorted by labels.
    public var allSeries: [Entry] {
        entries.values.sorted { $0.labels < $1.labels }
    }

    /// See `SeriesSource.select`.
    public func select(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws
        -> [StoredSeries]
    {
        allSeries.filter { entry in matchers.allSatisfy { $0.matches(entry.labels[$0.name]) } }.map {
            entry in
            let samples = entry.samples.filter { $0.timestamp >= minTime && $0.timestamp <= maxTime }
            let histograms = entry.histogramTimestamps.filter { $0 >= minTime && $0 <= maxTime }
            let name = entry.labels.description
            return StoredSeries(labels: entry.labels) {
                MemorySampleIterator(samples: samples, histogramTimestamps: histograms, series: name)
            }
        }
    }
}

/// Iterates an array of samples, failing when a native histogram sample would come next.
struct MemorySampleIterator: SampleIterator {
    let samples: [Sample]
    let histogramTimestamps: [Int64]
    let series: String
    var index = 0

    mutating func next() throws -> Sample? {
        if let first = histogramTimestamps.first,
            index >= samples.count || samples[index].timestamp >= first
        {
            throw SeriesError.nativeHistogram(series: series)
        }
        guard index < samples.count else { return nil }
        defer { index += 1 }
        return samples[index]
    }
}
