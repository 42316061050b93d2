import Foundation

/// The history both stores are filled with: counters (with resets), gauges (integer, decimal,
/// large, tiny, with a gap), classic histograms, `up` and an info metric, over several label
/// sets, written as one OpenMetrics file. `cpu_usage_ratio` never has two equal values at once,
/// for `topk`, `bottomk` and `sort`, whose choice among equal values Prometheus leaves open.
///
/// Sample timestamps sit at `start + k·15 s + phase`, the phase a binary fraction of a second
/// (0.125 s … 0.875 s) that differs by series: never on a whole second, so never on the boundary
/// of a range, a lookback window or a subquery step of queries written in whole seconds (where
/// Prometheus 2.x's closed ranges and 3.x's open ones would disagree), and exact in binary, so
/// seconds × 1000 is the same millisecond however a parser rounds.
struct DifferentialData {
    /// The first sample's second: 1700000000 is 20 s past a minute and 200 s past five minutes,
    /// so query times `start + n·60 s` are never multiples of the subquery steps used (30 s, 1 m,
    /// 2 m, 5 m).
    static let start: Int64 = 1_700_000_000
    /// How long the history runs, in seconds.
    static let length: Int64 = 3 * 3600
    /// The scrape interval, in seconds.
    static let interval: Int64 = 15

    /// One series: its family, labels and a value at each scrape (nil: no sample).
    struct Series {
        var name: String
        var labels: [(String, String)]
        var values: [Double?]
        var phase: Double
    }

    /// Families in file order: name, type, and the series of each.
    var families: [(name: String, type: String, series: [Series])] = []

    /// The whole history, generated from a fixed seed.
    init() {
        var random = Random(seed: 42)
        let steps = Int(Self.length / Self.interval)
        var phaseIndex = 0
        func phase() -> Double {
            phaseIndex += 1
            return Double(phaseIndex % 7 + 1) / 8
        }
        let jobs = ["api", "web"]
        let instances = ["10.0.0.1:8080", "10.0.0.2:8080"]

        var requests: [Series] = []
        for job in jobs {
            for instance in instances {
                for method in ["GET", "POST"] {
                    for code in ["200", "500"] {
                        var value = Double(random.next(100))
                        let resetAt = requests.count % 5 == 0 ? steps / 2 + requests.count : -1
                        var values: [Double?] = []
                        for step in 0..<steps {
                            if step == resetAt { value = Double(random.next(3)) }
                            value += Double(random.next(code == "200" ? 40 : 4))
                            values.append(value)
                        }
                        requests.append(
                            Series(
                                name: "http_requests_total",
                                labels: [("job", job), ("instance", instance), ("method", method), ("code", code)],
                                values: values, phase: phase()))
                    }
                }
            }
        }
        families.append(("http_requests", "counter", requests))

        var temperatures: [Series] = []
        for (index, instance) in instances.enumerated() {
            var value = 20.0 + Double(index) * 3
            temperatures.append(
                Series(
                    name: "node_temperature_celsius",
                    labels: [("instance", instance), ("zone", "eu-1\(index == 0 ? "a" : "b")")],
                    values: (0..<steps).map { _ in
                        value = ((value + Double(random.next(41)) / 100 - 0.2) * 100).rounded() / 100
                        return value
                    }, phase: phase()))
        }
        families.append(("node_temperature_celsius", "gauge", temperatures))

        var queues: [Series] = []
        for job in jobs {
            for instance in instances {
                var value = Double(random.next(10))
                queues.append(
                    Series(
                        name: "queue_depth", labels: [("job", job), ("instance", instance)],
                        values: (0..<steps).map { _ in
                            value = max(0, value + Double(random.next(5)) - 2)
                            return value
                        }, phase: phase()))
            }
        }
        families.append(("queue_depth", "gauge", queues))

        let bounds = ["0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "+Inf"]
        var histogram: [Series] = []
        for job in jobs {
            var counts = [Double](repeating: 0, count: bounds.count)
            var sum = 0.0
            var bucketValues = [[Double?]](repeating: [], count: bounds.count)
            var sums: [Double?] = []
            for _ in 0..<steps {
                for _ in 0..<random.next(12) {
                    let observation = Double(random.next(3000)) / 1000
                    sum += observation
                    for (index, bound) in bounds.enumerated() where observation <= (Double(bound) ?? .infinity) {
                        counts[index] += 1
                    }
                }
                for index in bounds.indices { bucketValues[index].append(counts[index]) }
                sums.append((sum * 1000).rounded() / 1000)
            }
            for (index, bound) in bounds.enumerated() {
                histogram.append(
                    Series(
                        name: "request_duration_seconds_bucket", labels: [("job", job), ("le", bound)],
                        values: bucketValues[index], phase: 0.5))
            }
            histogram.append(
                Series(name: "request_duration_seconds_sum", labels: [("job", job)], values: sums, phase: 0.5))
            histogram.append(
                Series(
                    name: "request_duration_seconds_count", labels: [("job", job)],
                    values: bucketValues[bounds.count - 1], phase: 0.5))
        }
        families.append(("request_duration_seconds", "histogram", histogram))

        var ups: [Series] = []
        for job in jobs {
            for instance in instances {
                ups.append(
                    Series(
                        name: "up", labels: [("job", job), ("instance", instance)],
                        values: (0..<steps).map { _ in random.next(20) == 0 ? 0 : 1 }, phase: phase()))
            }
        }
        families.append(("up", "gauge", ups))

        families.append(
            (
                "build", "info",
                jobs.enumerated().map { index, job in
                    Series(
                        name: "build_info", labels: [("job", job), ("version", "1.\(index).0")],
                        values: Array(repeating: 1, count: steps), phase: phase())
                }
            ))

        let gapStart = steps / 3
        let gapEnd = steps * 3 / 4
        families.append(
            (
                "batch_last_success_timestamp_seconds", "gauge",
                [
                    Series(
                        name: "batch_last_success_timestamp_seconds", labels: [("job", "batch")],
                        values: (0..<steps).map { step in
                            step >= gapStart && step < gapEnd
                                ? nil : Double(Self.start + Int64(step / 20 * 20) * Self.interval)
                        }, phase: 0.25)
                ]
            ))

        families.append(
            (
                "memory_bytes", "gauge",
                instances.map { instance in
                    var value = 2_000_000_000.0
                    return Series(
                        name: "memory_bytes", labels: [("instance", instance)],
                        values: (0..<steps).map { _ in
                            value += Double(random.next(64)) * 4096 - 32 * 4096
                            return value
                        }, phase: phase())
                }
            ))

        var usage: [Series] = []
        for job in jobs {
            for instance in instances {
                for cpu in 0..<4 {
                    let offset = Double(usage.count) * 1e-7
                    usage.append(
                        Series(
                            name: "cpu_usage_ratio",
                            labels: [("job", job), ("instance", instance), ("cpu", String(cpu))],
                            values: (0..<steps).map { _ in Double(random.next(1_000_000)) / 1_000_000 + offset },
                            phase: phase()))
                }
            }
        }
        families.append(("cpu_usage_ratio", "gauge", usage))

        families.append(
            (
                "error_ratio", "gauge",
                jobs.map { job in
                    Series(
                        name: "error_ratio", labels: [("job", job)],
                        values: (0..<steps).map { _ in Double(random.next(1000)) * 1e-9 }, phase: phase())
                }
            ))
    }

    /// The OpenMetrics text: `# TYPE` per family, then each scrape's samples, `# EOF` last.
    var openMetrics: String {
        var out = ""
        let steps = Int(Self.length / Self.interval)
        for family in families {
            out += "# TYPE \(family.name) \(family.type)\n"
            for step in 0..<steps {
                for series in family.series {
                    guard let value = series.values[step] else { continue }
                    let labels = series.labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
                    let seconds = Double(Self.start + Int64(step) * Self.interval) + series.phase
                    out += "\(series.name){\(labels)} \(Self.format(value)) \(Self.format(seconds))\n"
                }
            }
        }
        out += "# EOF\n"
        return out
    }

    /// Every sample's series, for counting.
    var seriesCount: Int { families.reduce(0) { $0 + $1.series.count } }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// xorshift64*, so the history is the same on every run.
    struct Random {
        var state: UInt64

        init(seed: UInt64) {
            state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        }

        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % max(bound, 1)
        }
    }
}
