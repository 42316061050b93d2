import PromQL
import Series
import TestSupport
import Testing

// Range queries are evaluated node by node over all steps; instant queries evaluate the whole
// expression at one time. Each range query below must equal the instant queries at its steps:
// the same series, the same values bit for bit, the same errors and annotations.

/// Series that come and go: a counter with a reset, one that starts late and goes stale, one
/// scraped every 30 s with a gap, two gauges (one with NaN), and a classic histogram.
private let source: MemorySeriesSource = {
    var source = MemorySeriesSource()
    func add(_ labels: [String: String], every interval: Int64, from: Int64 = 0, to: Int64 = 1_800_000, _ value: (Int64) -> Double?) {
        var samples: [Sample] = []
        var t = from
        while t <= to {
            if let v = value(t) { samples.append(Sample(timestamp: t, value: v)) }
            t += interval
        }
        source.append(labels: Labels(labels), samples: samples)
    }
    add(["__name__": "x_total", "job": "a", "inst": "1"], every: 15_000) { t in Double(t < 600_000 ? t / 1000 : (t - 600_000) / 2000) }
    add(["__name__": "x_total", "job": "a", "inst": "2"], every: 15_000, from: 300_000, to: 1_200_000) { t in
        t == 1_200_000 ? Sample.staleNaN : Double(t / 500)
    }
    add(["__name__": "x_total", "job": "b", "inst": "1"], every: 30_000) { t in
        t > 720_000 && t < 1_080_000 ? nil : Double(t / 3000)
    }
    add(["__name__": "y", "job": "a"], every: 15_000) { t in 20 + Double((t / 15_000) % 7) * 0.25 }
    add(["__name__": "y", "job": "b"], every: 15_000, from: 120_000) { t in (t / 15_000) % 11 == 0 ? .nan : Double(t % 97) / 10 }
    for (bound, share) in [("0.1", 0.2), ("1", 0.7), ("+Inf", 1.0)] {
        add(["__name__": "h_bucket", "job": "a", "le": bound], every: 15_000) { t in (Double(t / 1000) * share).rounded() }
    }
    return source
}()

private let expressions = [
    "x_total", "x_total offset 1m", "x_total @ 600", "-x_total", "x_total{inst='2'}",
    "rate(x_total[1m])", "increase(x_total[5m] offset 30s)", "irate(x_total[1m])", "delta(y[2m])",
    "changes(y[5m])", "resets(x_total[10m])", "deriv(y[2m])", "rate(y[1m])",
    "sum_over_time(y[1m])", "avg_over_time(y[2m])", "quantile_over_time(0.5, y[3m])",
    "quantile_over_time(2, y[3m])", "predict_linear(y[5m], 60)", "last_over_time(x_total[1m])",
    "max_over_time(y[1m] @ 900)", "count_over_time(x_total[2m])", "stddev_over_time(y[5m])",
    "absent_over_time(x_total{inst='2'}[1m])", "abs(y - 20)", "ln(x_total)", "hour(x_total)",
    "sum(x_total)", "sum by (job) (rate(x_total[1m]))", "avg without (inst) (x_total)", "count(x_total)",
    "min by (job) (y)", "max(y)", "stddev(x_total)", "stdvar by (job) (x_total)", "group by (job) (x_total)",
    "sum by (__name__) (x_total)", "x_total > 100", "x_total > bool 100", "100 < x_total", "1 - x_total",
    "2 ^ 3", "time() - 100", "x_total / on(job) group_left y", "y * on(job) group_right x_total",
    "x_total * on(job, inst) x_total", "x_total + x_total", "x_total - ignoring(inst) x_total{inst='1'}",
    "x_total == bool x_total", "x_total and y", "x_total and on(job) y", "x_total or y", "y or x_total",
    "x_total unless on(job) y{job='b'}", "x_total + on(job) y", "y + on(job) x_total",
    "topk(1, x_total)", "bottomk by (job) (1, x_total)", "quantile(0.5, x_total)", "count_values('v', y)",
    "histogram_quantile(0.5, rate(h_bucket[1m]))", "histogram_quantile(0.9, sum by (le) (rate(h_bucket[2m])))",
    "histogram_fraction(0, 0.5, h_bucket)", "label_replace(x_total, 'j', '$1', 'job', '(.*)')",
    "label_replace(x_total, 'inst', '', 'inst', '.*')", "label_join(x_total, '__name__', '-', 'job')",
    "scalar(y{job='a'})", "scalar(x_total)", "vector(time())", "sort(x_total)", "sort_by_label(x_total, 'inst')",
    "absent(nonexistent)", "absent(x_total{inst='2'})", "clamp(y, 20, 21)", "round(y, 0.5)",
    "sum(rate(x_total[1m])) / sum(rate(x_total[5m]))", "timestamp(x_total)",
    "max_over_time(rate(x_total[1m])[5m:30s])", "sum(x_total) + on() group_left count(y)",
    "rate(x_total[1m]) > 0.5 or on(job) vector(1)", "x_total * on(job) group_left(le) h_bucket{le='1'}",
    "x_total * on(job) group_left h_bucket", "h_bucket{le='1'} + on(job) group_right(le) x_total",
    "label_replace(x_total, 'inst', '1', '', '') / on(job) group_left y",
    "topk(scalar(count(x_total)) - 1, x_total)", "bottomk by (job) (1, rate(x_total[1m]))",
    "histogram_quantile(scalar(y{job='a'}) - 20, rate(h_bucket[1m]))", "histogram_quantile(1.5, h_bucket)",
    "count_values by (job) ('v', x_total)", "count_values('job', y)", "count_values('bad-name', y)",
]

/// A query's outcome as comparable text: series with their points (values by bit pattern), or
/// the error; and the annotations.
private struct Outcome: Equatable, CustomStringConvertible {
    var points: [String: [Int64: UInt64]] = [:]
    var error: String?
    var annotations: Set<String> = []

    var description: String {
        if let error { return "error: \(error)" }
        return points.keys.sorted().map { "\($0): \(points[$0]!.count) points" }.joined(separator: "; ")
    }
}

private func bits(_ value: Double) -> UInt64 { value.isNaN ? Double.nan.bitPattern : value.bitPattern }

private func rangeOutcome(_ query: String, start: Int64, end: Int64, step: Int64) -> Outcome {
    var outcome = Outcome()
    do {
        let result = try PromQLEngine().rangeQuery(query, start: start, end: end, step: step, source: source)
        guard case .matrix(let series) = result.value else { return Outcome(error: "not a matrix") }
        for one in series {
            outcome.points[one.labels.description] = Dictionary(uniqueKeysWithValues: one.samples.map { ($0.timestamp, bits($0.value)) })
        }
        outcome.annotations = Set(result.warnings + result.infos)
    } catch {
        outcome.error = "\(error)"
    }
    return outcome
}

private func instantOutcome(_ query: String, start: Int64, end: Int64, step: Int64) -> Outcome {
    var outcome = Outcome()
    var time = start
    while time <= end {
        do {
            let result = try PromQLEngine().instantQuery(query, at: time, source: source)
            switch result.value {
            case .vector(let samples):
                for sample in samples { outcome.points[sample.labels.description, default: [:]][time] = bits(sample.value) }
            case .scalar(_, let value):
                outcome.points[Labels.empty.description, default: [:]][time] = bits(value)
            default:
                return Outcome(error: "not a vector")
            }
            outcome.annotations.formUnion(result.warnings + result.infos)
        } catch {
            return Outcome(error: "\(error)")
        }
        time += step
    }
    return outcome
}

@Test(arguments: [(60_000, 1_800_000, 10_000), (7_000, 1_700_000, 37_000), (1_000_000, 1_000_000, 1_000)] as [(Int64, Int64, Int64)])
func rangeQueryEqualsInstantQueriesAtItsSteps(start: Int64, end: Int64, step: Int64) async throws {
    let mismatches = try await offPool {
        expressions.compactMap { query -> String? in
            let range = rangeOutcome(query, start: start, end: end, step: step)
            let instants = instantOutcome(query, start: start, end: end, step: step)
            return range == instants ? nil : "\(query)\n  range:   \(range)\n  instant: \(instants)"
        }
    }
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
}
