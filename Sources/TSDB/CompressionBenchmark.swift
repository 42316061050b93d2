import Foundation
import Series

/// Measures how many bytes the store spends per sample on a realistic synthetic workload, for
/// the Benchmarks package (the goal: under 2 bytes per sample; Prometheus ≈ 1.3).
///
/// The mix imitates what llmwatch itself scrapes, one scrape
/// every 15 s, in twelfths: 2 constant series (`up`, info metrics, limits); 4 slow counters
/// (error counts, histogram buckets rarely hit: 0 most scrapes, else 1-3); 2 fast counters
/// (requests, tokens, bytes: a steady integer rate with noise); 2 integer gauges that move in
/// 4 KiB pages (memory); 2 float gauges with two decimals in a random walk (temperatures,
/// ratios), which XOR cannot compress well. Nine scrapes in ten land exactly on the interval,
/// one is up to 4 ms off.
public enum CompressionBenchmark {
    /// The measured sizes.
    public struct Result: Sendable, CustomStringConvertible {
        /// Series written.
        public var series: Int
        /// Samples written.
        public var samples: Int
        /// Compressed chunk bytes held in the head.
        public var chunkBytes: Int
        /// Bytes of the WAL before the checkpoint (uncompressed records).
        public var walBytes: Int
        /// Bytes on disk after the checkpoint: checkpoint plus the (empty) new WAL segment.
        public var diskBytes: Int
        /// Chunk bytes per sample for each kind of series (by metric name), to show what drives the total.
        public var chunkBytesPerSampleByKind: [String: Double]
        /// The same samples in Prometheus's XOR chunks (`XORChunk`, 120 samples each), by kind.
        public var prometheusXORBytesPerSampleByKind: [String: Double]
        /// The same samples in Prometheus's XOR chunks, all kinds.
        public var prometheusXORBytesPerSample: Double
        /// Nanoseconds to decode one sample from llmwatch's closed chunks (the best of 3 passes).
        public var decodeNanosecondsPerSample: Double
        /// Nanoseconds to decode one sample from Prometheus's XOR chunks of the same samples.
        public var prometheusXORDecodeNanosecondsPerSample: Double
        /// Whether both decoders gave the same samples (a checksum of timestamps and value bits).
        public var decodersAgree: Bool

        /// Chunk bytes per sample: the figure comparable to Prometheus's ≈ 1.3.
        public var chunkBytesPerSample: Double { Double(chunkBytes) / Double(samples) }
        /// Disk bytes per sample after the checkpoint, labels and framing included.
        public var diskBytesPerSample: Double { Double(diskBytes) / Double(samples) }
        /// WAL bytes per sample before the checkpoint.
        public var walBytesPerSample: Double { Double(walBytes) / Double(samples) }

        /// A one-line summary.
        public var description: String {
            let format = { (value: Double) in String(format: "%.3f", value) }
            return "\(samples) samples in \(series) series: \(format(chunkBytesPerSample)) chunk bytes/sample, "
                + "\(format(diskBytesPerSample)) disk bytes/sample after checkpoint, "
                + "\(format(walBytesPerSample)) WAL bytes/sample before it; decode "
                + "\(format(decodeNanosecondsPerSample)) ns/sample (Prometheus's XOR codec "
                + "\(format(prometheusXORDecodeNanosecondsPerSample))); by kind: "
                + chunkBytesPerSampleByKind.sorted { $0.key < $1.key }.map {
                    "\($0.key) \(format($0.value)) (Prometheus's XOR codec "
                        + "\(format(prometheusXORBytesPerSampleByKind[$0.key] ?? 0)))"
                }
                .joined(separator: ", ")
        }
    }

    /// Writes `series` × `samplesPerSeries` samples to a new store in `path` (which should be an
    /// empty or absent directory), checkpoints it and measures. The default is 10M samples.
    public static func run(path: String, series: Int = 1000, samplesPerSeries: Int = 10_000) throws -> Result {
        var options = DB.Options()
        options.checkpointWALBytes = .max
        options.checkpointInterval = .seconds(365 * 86_400)
        let db = try DB(path: path, options: options)
        defer { try? db.close() }
        var generators = (0..<series).map { Workload(index: $0) }
        var batch: [LabeledSample] = []
        batch.reserveCapacity(series)
        for step in 0..<samplesPerSeries {
            batch.removeAll(keepingCapacity: true)
            for i in 0..<series {
                batch.append(generators[i].next(scrape: step, start: start))
            }
            try db.append(batch)
        }
        let walBytes = db.stats.walBytes
        try db.checkpoint()
        let stats = db.stats
        let (ours, prometheus, chunks) = try bytesPerSampleByKind(db)
        let decoded = (
            ours: decodeTime(chunks.ours) { ChunkIterator(bytes: $0) },
            prometheus: decodeTime(chunks.prometheus) { XORIterator(bytes: $0) }
        )
        return Result(
            series: stats.series, samples: stats.samples, chunkBytes: stats.chunkBytes, walBytes: walBytes,
            diskBytes: stats.diskBytes, chunkBytesPerSampleByKind: ours.perSample,
            prometheusXORBytesPerSampleByKind: prometheus.perSample,
            prometheusXORBytesPerSample: Double(prometheus.bytes) / Double(max(stats.samples, 1)),
            decodeNanosecondsPerSample: decoded.ours.nanoseconds,
            prometheusXORDecodeNanosecondsPerSample: decoded.prometheus.nanoseconds,
            decodersAgree: decoded.ours.checksum == decoded.prometheus.checksum)
    }

    /// Nanoseconds per sample to decode every chunk (the best of three passes) and a checksum of
    /// the samples decoded, which also keeps the decoding from being optimised away.
    private static func decodeTime<Iterator>(_ chunks: [[UInt8]], _ makeIterator: ([UInt8]) -> Iterator) -> (
        nanoseconds: Double, checksum: UInt64
    ) where Iterator: DecodingIterator {
        var best = Duration.seconds(1_000_000)
        var samples = 0
        var checksum: UInt64 = 0
        for _ in 0..<3 {
            samples = 0
            checksum = 0
            let began = ContinuousClock.now
            for bytes in chunks {
                var iterator = makeIterator(bytes)
                while let sample = iterator.next() {
                    checksum = checksum &* 31 &+ UInt64(bitPattern: sample.timestamp) ^ sample.value.bitPattern
                    samples += 1
                }
            }
            best = min(best, ContinuousClock.now - began)
        }
        let (seconds, attoseconds) = best.components
        return ((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(max(samples, 1)), checksum)
    }

    /// The first timestamp of every series (milliseconds).
    public static let start: Int64 = 1_700_000_000_000

    /// The labels and samples of workload series `index`, exactly as `run` appends them (each
    /// series has its own random numbers, so one can be generated alone).
    public static func series(_ index: Int, samplesPerSeries: Int) -> (labels: Labels, samples: [Sample]) {
        var generator = Workload(index: index)
        let samples = (0..<samplesPerSeries).map { generator.next(scrape: $0, start: start).sample }
        return (generator.labels, samples)
    }

    /// Bytes per sample by metric name and in total.
    private struct KindSizes {
        var totals: [String: (bytes: Int, samples: Int)] = [:]
        var bytes: Int { totals.values.reduce(0) { $0 + $1.bytes } }
        var perSample: [String: Double] { totals.mapValues { Double($0.bytes) / Double(max($0.samples, 1)) } }
    }

    /// Re-encodes each series read back from `db` into 120-sample chunks, grouped by metric name:
    /// in llmwatch's chunks sealed as the head seals them, and in Prometheus's XOR chunks.
    private static func bytesPerSampleByKind(_ db: DB) throws -> (
        ours: KindSizes, prometheus: KindSizes, chunks: (ours: [[UInt8]], prometheus: [[UInt8]])
    ) {
        var ours = KindSizes()
        var prometheus = KindSizes()
        var chunks: (ours: [[UInt8]], prometheus: [[UInt8]]) = ([], [])
        let all = try LabelMatcher(name: Labels.metricName, type: .regexMatch, value: ".+")
        for series in try db.select(matchers: [all], minTime: .min, maxTime: .max) {
            var iterator = series.makeIterator()
            var chunk = Chunk()
            var xor = XORChunk()
            var bytes = (ours: 0, prometheus: 0)
            var samples = 0
            while let sample = try iterator.next() {
                if chunk.count >= Chunk.targetSamples {
                    let sealed = chunk.sealed()
                    bytes.ours += sealed.count
                    bytes.prometheus += xor.bytes.count
                    chunks.ours.append(sealed)
                    chunks.prometheus.append(xor.bytes)
                    chunk = Chunk()
                    xor = XORChunk()
                }
                chunk.append(timestamp: sample.timestamp, value: sample.value)
                xor.append(timestamp: sample.timestamp, value: sample.value)
                samples += 1
            }
            bytes.ours += chunk.bytes.count
            bytes.prometheus += xor.bytes.count
            let name = series.labels.metricName
            ours.totals[name, default: (0, 0)].bytes += bytes.ours
            ours.totals[name, default: (0, 0)].samples += samples
            prometheus.totals[name, default: (0, 0)].bytes += bytes.prometheus
            prometheus.totals[name, default: (0, 0)].samples += samples
        }
        return (ours, prometheus, chunks)
    }

    /// One synthetic series.
    struct Workload {
        enum Kind {
            case constant
            case slowCounter
            case fastCounter(ratePerScrape: Double)
            case pagedGauge
            case decimalGauge
        }

        let labels: Labels
        let kind: Kind
        var random: UInt64
        var value: Double

        init(index: Int) {
            random = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
            let kinds = [
                "constant", "constant", "slow_counter", "slow_counter", "slow_counter", "slow_counter",
                "fast_counter", "fast_counter", "paged_gauge", "paged_gauge", "decimal_gauge", "decimal_gauge",
            ]
            let name = kinds[index % kinds.count]
            labels = Labels([
                "__name__": "bench_\(name)", "instance": "host-\(index / 12 % 50):9100", "job": "node",
                "series": "\(index)",
            ])
            switch name {
            case "constant":
                kind = .constant
                value = Double(index % 3)
            case "slow_counter":
                kind = .slowCounter
                value = Double(index % 40)
            case "fast_counter":
                kind = .fastCounter(ratePerScrape: Double(index % 97 + 1) * 3)
                value = 0
            case "paged_gauge":
                kind = .pagedGauge
                value = Double(index % 100 + 100) * 1_048_576
            default:
                kind = .decimalGauge
                value = 20 + Double(index % 30)
            }
            _ = nextRandom()
        }

        mutating func next(scrape: Int, start: Int64) -> LabeledSample {
            let jitter = nextRandom() % 10 == 0 ? Int64(nextRandom() % 9) - 4 : 0
            let timestamp = start + Int64(scrape) * 15_000 + jitter
            switch kind {
            case .constant:
                break
            case .slowCounter:
                if nextRandom() % 5 == 0 { value += Double(nextRandom() % 3 + 1) }
            case .fastCounter(let rate):
                value += (rate * (0.5 + Double(nextRandom() % 1000) / 1000)).rounded()
            case .pagedGauge:
                if nextRandom() % 3 == 0 { value += Double(Int(nextRandom() % 64) - 32) * 4096 }
            case .decimalGauge:
                let step = Double(Int(nextRandom() % 21) - 10) / 100
                value = ((value + step) * 100).rounded() / 100
            }
            return LabeledSample(labels: labels, timestamp: timestamp, value: value)
        }

        private mutating func nextRandom() -> UInt64 {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return random
        }
    }
}

/// The chunk iterators `decodeTime` compares.
protocol DecodingIterator {
    mutating func next() -> Sample?
}

extension ChunkIterator: DecodingIterator {}
extension XORIterator: DecodingIterator {}
