import Foundation
import Series

/// A function of the `*_over_time` family applied to one window: its samples and the evaluation
/// time (milliseconds) to the value, nil for no output.
typealias OverTimeFunction = (ArraySlice<Sample>, Int64) -> Double?

extension Evaluator {
    /// The `*_over_time` family and the other functions taking a range vector and scalars.
    func overTime(_ name: String, _ series: [RangeSeries], _ params: [Double], _ time: Int64) throws
        -> [Element]
    {
        let (compute, keepsName) = try overTimeFunction(name, params)
        return series.compactMap { s in
            guard !s.samples.isEmpty, let value = compute(s.samples, time) else { return nil }
            return Element(labels: s.labels, value: value, dropName: keepsName ? s.dropName : true)
        }
    }

    /// The function `name` computes with the scalar parameters `params`, and whether it keeps the
    /// metric name; fails (or warns) about bad parameters as Prometheus does.
    func overTimeFunction(_ name: String, _ params: [Double]) throws -> (OverTimeFunction, keepsName: Bool) {
        let keepsName = name == "last_over_time"
        let compute: (ArraySlice<Sample>) -> Double?
        switch name {
        case "sum_over_time": compute = { Evaluator.kahanSum($0.map(\.value)) }
        case "avg_over_time": compute = { Evaluator.average($0.map(\.value)) }
        case "count_over_time": compute = { Double($0.count) }
        case "present_over_time": compute = { _ in 1 }
        case "last_over_time": compute = { $0.last?.value }
        case "ts_of_last_over_time": compute = { $0.last.map { Double($0.timestamp) / 1000 } }
        case "min_over_time": compute = { Evaluator.extreme($0, isMax: false)?.value }
        case "max_over_time": compute = { Evaluator.extreme($0, isMax: true)?.value }
        case "ts_of_min_over_time":
            compute = { Evaluator.extreme($0, isMax: false).map { Double($0.timestamp) / 1000 } }
        case "ts_of_max_over_time":
            compute = { Evaluator.extreme($0, isMax: true).map { Double($0.timestamp) / 1000 } }
        case "stddev_over_time": compute = { Evaluator.variance($0.map(\.value)).squareRoot() }
        case "stdvar_over_time": compute = { Evaluator.variance($0.map(\.value)) }
        case "mad_over_time":
            compute = { samples in
                let values = samples.map(\.value)
                let median = Evaluator.quantile(0.5, values)
                return Evaluator.quantile(0.5, values.map { abs($0 - median) })
            }
        case "quantile_over_time":
            let q = params[0]
            warnIfInvalid(quantile: q)
            compute = { Evaluator.quantile(q, $0.map(\.value)) }
        case "predict_linear":
            let duration = params[0]
            return (
                { samples, time in
                    guard samples.count >= 2 else { return nil }
                    let (slope, intercept) = Evaluator.linearRegression(samples, interceptTime: time)
                    return slope * duration + intercept
                }, keepsName
            )
        case "double_exponential_smoothing":
            let (sf, tf) = (params[0], params[1])
            guard sf > 0 && sf < 1 else {
                throw QueryError.execution(
                    "invalid smoothing factor. Expected: 0 < sf < 1, got: \(String(format: "%f", sf))")
            }
            guard tf > 0 && tf < 1 else {
                throw QueryError.execution(
                    "invalid trend factor. Expected: 0 < tf < 1, got: \(String(format: "%f", tf))")
            }
            compute = { Evaluator.doubleExponentialSmoothing($0.map(\.value), sf, tf) }
        default:
            throw QueryError.execution("unknown function \(name)")
        }
        return ({ samples, _ in compute(samples) }, keepsName)
    }

    static func kahanSum(_ values: [Double]) -> Double {
        var (sum, c) = (0.0, 0.0)
        for v in values { (sum, c) = kahanSumInc(v, sum, c) }
        return sum + c
    }

    /// The mean, summing directly while the sum stays finite and incrementally afterwards.
    static func average(_ values: [Double]) -> Double {
        var (sum, mean, c) = (0.0, 0.0, 0.0)
        var incremental = false
        for (i, v) in values.enumerated() {
            let count = Double(i + 1)
            if !incremental {
                let (newSum, newC) = kahanSumInc(v, sum, c)
                if count == 1 || !newSum.isInfinite {
                    (sum, c) = (newSum, newC)
                    continue
                }
                incremental = true
                mean = sum / (count - 1)
                c /= count - 1
            }
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { continue }
                if !v.isInfinite && !v.isNaN { continue }
            }
            let q = (count - 1) / count
            (mean, c) = kahanSumInc(v / count, q * mean, q * c)
        }
        if incremental { return mean + c }
        let count = Double(values.count)
        return sum / count + c / count
    }

    /// The sample with the smallest or largest value; NaN only wins when all are NaN; the last of equals wins.
    static func extreme(_ samples: ArraySlice<Sample>, isMax: Bool) -> Sample? {
        guard var best = samples.first else { return nil }
        for s in samples.dropFirst() {
            let better = isMax ? s.value >= best.value : s.value <= best.value
            if better || best.value.isNaN { best = s }
        }
        return best
    }

    /// Population variance by Welford's method with compensated sums.
    static func variance(_ values: [Double]) -> Double {
        var (count, mean, cMean, aux, cAux) = (0.0, 0.0, 0.0, 0.0, 0.0)
        for v in values {
            count += 1
            let delta = v - (mean + cMean)
            (mean, cMean) = kahanSumInc(delta / count, mean, cMean)
            (aux, cAux) = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }

    /// Holt's linear smoothing: level smoothed by `sf`, trend by `tf`; nil with fewer than two samples.
    static func doubleExponentialSmoothing(_ values: [Double], _ sf: Double, _ tf: Double) -> Double? {
        guard values.count >= 2 else { return nil }
        var s0 = 0.0
        var s1 = values[0]
        var b = values[1] - values[0]
        for i in 1..<values.count {
            let x = sf * values[i]
            if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
            s0 = s1
            s1 = x + (1 - sf) * (s0 + b)
        }
        return s1
    }
}
