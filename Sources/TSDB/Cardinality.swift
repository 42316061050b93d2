/// The head's cardinality, as Prometheus's `/api/v1/status/tsdb` reports it
/// (`index.PostingsStats`): the label names, values and pairs holding the most series.
public struct TSDBCardinality: Sendable, Equatable {
    /// One entry of a top-N list: a name (a metric name, a label name, or `name=value`) and its count.
    public struct Entry: Sendable, Equatable {
        /// What is counted.
        public var name: String
        /// Its count.
        public var value: Int

        /// Creates an entry.
        public init(name: String, value: Int) {
            self.name = name
            self.value = value
        }
    }

    /// The number of distinct label pairs in the index.
    public var labelPairs = 0
    /// Metric names holding the most series.
    public var seriesCountByMetricName: [Entry] = []
    /// Label names with the most distinct values.
    public var labelValueCountByLabelName: [Entry] = []
    /// Label names whose values take the most bytes, counted once per series that carries them.
    public var memoryInBytesByLabelName: [Entry] = []
    /// Label pairs (`name=value`) carried by the most series.
    public var seriesCountByLabelValuePair: [Entry] = []

    /// Creates empty lists.
    public init() {}

    /// Counts `postings`, keeping the `limit` largest entries of each list (ties by name).
    init(postings: MemPostings, limit: Int) {
        var metrics: [Entry] = []
        var valueCounts: [Entry] = []
        var bytes: [Entry] = []
        var pairs: [Entry] = []
        for name in postings.labelNames {
            let values = postings.values(of: name)
            labelPairs += values.count
            valueCounts.append(Entry(name: name, value: values.count))
            var size = 0
            for (value, refs) in values {
                if name == "__name__" { metrics.append(Entry(name: value, value: refs.count)) }
                pairs.append(Entry(name: name + "=" + value, value: refs.count))
                size += value.utf8.count * refs.count
            }
            bytes.append(Entry(name: name, value: size))
        }
        seriesCountByMetricName = Self.top(metrics, limit)
        labelValueCountByLabelName = Self.top(valueCounts, limit)
        memoryInBytesByLabelName = Self.top(bytes, limit)
        seriesCountByLabelValuePair = Self.top(pairs, limit)
    }

    private static func top(_ entries: [Entry], _ limit: Int) -> [Entry] {
        Array(entries.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(max(limit, 0)))
    }
}
