import Series

/// Reads one series' samples across its chunks, decoding lazily and keeping to a time range.
struct ChunkSeriesIterator: SampleIterator {
    private let chunks: [[UInt8]]
    private let minTime: Int64
    private let maxTime: Int64
    private var nextChunk = 0
    private var current: ChunkIterator?

    /// Iterates `chunks` (encoded chunks of any `ChunkEncoding`, oldest first) within `minTime...maxTime`.
    init(chunks: [[UInt8]], minTime: Int64, maxTime: Int64) {
        self.chunks = chunks
        self.minTime = minTime
        self.maxTime = maxTime
    }

    mutating func next() throws -> Sample? {
        while true {
            if current == nil {
                guard nextChunk < chunks.count else { return nil }
                current = ChunkIterator(bytes: chunks[nextChunk])
                nextChunk += 1
            }
            while let sample = current?.next() {
                if sample.timestamp < minTime { continue }
                if sample.timestamp > maxTime {
                    nextChunk = chunks.count
                    current = nil
                    return nil
                }
                return sample
            }
            current = nil
        }
    }

    /// Decodes the remaining chunks straight into `samples`, keeping to both time ranges.
    mutating func appendRemaining(to samples: inout [Sample], minTime: Int64, maxTime: Int64) throws {
        let low = max(minTime, self.minTime)
        let high = min(maxTime, self.maxTime)
        if var chunk = current {
            current = nil
            while let sample = chunk.next() {
                if sample.timestamp > high {
                    nextChunk = chunks.count
                    return
                }
                if sample.timestamp >= low { samples.append(sample) }
            }
        }
        while nextChunk < chunks.count {
            var chunk = ChunkIterator(bytes: chunks[nextChunk])
            nextChunk += 1
            while let sample = chunk.next() {
                if sample.timestamp > high {
                    nextChunk = chunks.count
                    return
                }
                if sample.timestamp >= low { samples.append(sample) }
            }
        }
    }
}
