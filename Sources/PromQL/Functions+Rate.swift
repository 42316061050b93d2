import Series

/// A function of one range-vector series returning one value, or nil for no output.
typealias RangeFunction = @Sendable (RangeSeries, RangeWindow, Int64) -> Double?

extension Evaluator {
    /// rate, increase, delta and the other functions of a single series' samples.
    static let rateFunctions: [String: RangeFunction] = [
        "rate": { s, w, _ in extrapolatedRate(s.samples, w, isCounter: true, isRate: true) },
        "increase": { s, w, _ in extrapolatedRate(s.samples, w, isCounter: true, isRate: false) },
        "delta": { s, w, _ in extrapolatedRate(s.samples, w, isCounter: false, isRate: false) },
        "irate": { s, _, _ in instantValue(s.samples, isRate: true) },
        "idelta": { s, _, _ in instantValue(s.samples, isRate: false) },
        "deriv": { s, _, _ in
            guard s.samples.count >= 2 else { return nil }
            return linearRegression(s.samples, interceptTime: s.samples[s.samples.startIndex].timestamp).slope
        },
        "changes": { s, _, _ in
            s.samples.withUnsafeBufferPointer { samples in
                var changes = 0.0
                var index = 1
                while index < samples.count {
                    let (previous, current) = (samples[index - 1].value, samples[index].value)
                    if previous != current && !(previous.isNaN && current.isNaN) { changes += 1 }
                    index += 1
                }
                return changes
            }
        },
        "resets": { s, _, _ in
            s.samples.withUnsafeBufferPointer { samples in
                var resets = 0.0
                var index = 1
                while index < samples.count {
                    if samples[index].value < samples[index - 1].value { resets += 1 }
                    index += 1
                }
                return resets
            }
        },
    ]

    /// Prometheus's extrapolated rate: the increase between the first and last sample, extended
    /// towards the window's edges when samples come close enough to them.
    static func extrapolatedRate(
        _ samples: ArraySlice<Sample>, _ window: RangeWindow, isCounter: Bool, isRate: Bool
    ) -> Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
        var result = last.value - first.value
        if isCounter {
            // Each reset adds the value before it, in order, as Prometheus adds them.
            result = samples.withUnsafeBufferPointer { samples in
                var total = result
                var previous = samples[0].value
                var index = 1
                while index < samples.count {
                    let value = samples[index].value
                    if value < previous { total += previous }
                    previous = value
                    index += 1
                }
                return total
            }
        }
        return extrapolate(result, first: first, last: last, count: samples.count, window, isCounter: isCounter, isRate: isRate)
    }

    /// The part of `extrapolatedRate` after the increase `result` between the `count` samples from
    /// `first` to `last` (resets added in) is known.
    static func extrapolate(
        _ result: Double, first: Sample, last: Sample, count: Int, _ window: RangeWindow, isCounter: Bool, isRate: Bool
    ) -> Double {
        var durationToStart = Double(first.timestamp - window.start) / 1000
        var durationToEnd = Double(window.end - last.timestamp) / 1000
        let sampledInterval = Double(last.timestamp - first.timestamp) / 1000
        let averageBetweenSamples = sampledInterval / Double(count - 1)
        let threshold = averageBetweenSamples * 1.1
        if durationToStart >= threshold { durationToStart = averageBetweenSamples / 2 }
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = averageBetweenSamples / 2 }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate { factor /= Double(window.range) / 1000 }
        return result * factor
    }

    /// irate and idelta: the change between the last two samples.
    static func instantValue(_ samples: ArraySlice<Sample>, isRate: Bool) -> Double? {
        guard samples.count >= 2 else { return nil }
        let last = samples[samples.endIndex - 1]
        let previous = samples[samples.endIndex - 2]
        var result = isRate && last.value < previous.value ? last.value : last.value - previous.value
        if isRate {
            let interval = last.timestamp - previous.timestamp
            guard interval != 0 else { return nil }
            result /= Double(interval) / 1000
        }
        return result
    }

    /// Least-squares fit of value over time (seconds relative to `interceptTime`).
    static func linearRegression(_ samples: ArraySlice<Sample>, interceptTime: Int64) -> (
        slope: Double, intercept: Double
    ) {
        var n = 0.0
        var (sumX, cX, sumY, cY, sumXY, cXY, sumX2, cX2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        let initY = samples[samples.startIndex].value
        var constY = true
        for (i, sample) in samples.enumerated() {
            if constY && i > 0 && sample.value != initY { constY = false }
            n += 1
            let x = Double(sample.timestamp - interceptTime) / 1000
            (sumX, cX) = kahanSumInc(x, sumX, cX)
            (sumY, cY) = kahanSumInc(sample.value, sumY, cY)
            (sumXY, cXY) = kahanSumInc(x * sample.value, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }
}
