import Series

/// One classic histogram bucket: its upper bound (`le`) and cumulative count.
struct Bucket {
    var upperBound: Double
    var count: Double
}

extension Evaluator {
    /// Groups `_bucket` series by their labels without `le`, warning about unparsable bounds.
    private func bucketGroups(_ input: [Element]) -> [(labels: Labels, buckets: [Bucket])] {
        var table = bucketTable ?? BucketTable()
        defer { bucketTable = table }
        var positions: [Int] = []
        var groups: [(labels: Labels, buckets: [Bucket])] = []
        for (index, element) in input.enumerated() {
            let (id, bound) = table.bucket(for: element.labels, at: index)
            guard let bound else {
                warnMalformedBucket(element.labels)
                continue
            }
            if id >= positions.count { positions += repeatElement(-1, count: id - positions.count + 1) }
            if positions[id] < 0 {
                positions[id] = groups.count
                groups.append((table.keys[id], []))
            }
            groups[positions[id]].buckets.append(Bucket(upperBound: bound, count: element.value))
        }
        return groups
    }

    /// Warns, as Prometheus does, when a quantile is outside [0, 1].
    func warnIfInvalid(quantile q: Double) {
        if q.isNaN || q < 0 || q > 1 {
            warn("quantile value should be between 0 and 1, got \(Formatting.goDefault(q))")
        }
    }

    /// Warns about a bucket series whose `le` is missing or not a number.
    func warnMalformedBucket(_ labels: Labels) {
        warn(
            "bucket label \"le\" is missing or has a malformed value of \(Labels.quote(labels[Labels.bucketLabel])) for metric name \(Labels.quote(labels.metricName))"
        )
    }

    /// Notes that buckets of the histogram `labels` had to be made monotonic.
    func noteForcedMonotonic(_ labels: Labels) {
        info(
            "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \(Labels.quote(labels.metricName))"
        )
    }

    func histogramQuantile(_ q: Double, _ input: [Element]) throws -> [Element] {
        warnIfInvalid(quantile: q)
        var out: [Element] = []
        for (labels, buckets) in bucketGroups(input) {
            let (value, forcedMonotonic) = Evaluator.bucketQuantile(q, buckets)
            if forcedMonotonic { noteForcedMonotonic(labels) }
            out.append(Element(labels: labels, value: value, dropName: true))
        }
        try checkDuplicates(out)
        return out
    }

    func histogramFraction(_ lower: Double, _ upper: Double, _ input: [Element]) throws -> [Element] {
        let out = bucketGroups(input).map { labels, buckets in
            Element(
                labels: labels, value: Evaluator.bucketFraction(lower, upper, buckets), dropName: true)
        }
        try checkDuplicates(out)
        return out
    }

    /// Sorts by bound and merges buckets sharing an upper bound.
    static func coalesce(_ buckets: [Bucket]) -> [Bucket] {
        var out: [Bucket] = []
        for b in buckets.sorted(by: { $0.upperBound < $1.upperBound }) {
            if let last = out.last, last.upperBound == b.upperBound {
                out[out.count - 1].count += b.count
            } else {
                out.append(b)
            }
        }
        return out
    }

    /// The quantile of classic buckets by linear interpolation; the flag reports forced monotonicity.
    static func bucketQuantile(_ q: Double, _ input: [Bucket]) -> (Double, Bool) {
        if q.isNaN { return (.nan, false) }
        if q < 0 { return (-.infinity, false) }
        if q > 1 { return (.infinity, false) }
        var buckets = coalesce(input)
        guard let last = buckets.last, last.upperBound == .infinity else { return (.nan, false) }
        var previous = buckets[0].count
        for i in 1..<buckets.count {
            let current = buckets[i].count
            let delta = abs(current - previous)
            if delta == 0 { continue }
            if delta / current <= 1e-12 {
                buckets[i].count = previous
            } else {
                previous = current
            }
        }
        var forced = false
        var maximum = buckets[0].count
        for i in 1..<buckets.count {
            if buckets[i].count > maximum {
                maximum = buckets[i].count
            } else if buckets[i].count < maximum {
                buckets[i].count = maximum
                forced = true
            }
        }
        guard buckets.count >= 2 else { return (.nan, false) }
        let observations = buckets[buckets.count - 1].count
        guard observations != 0 else { return (.nan, false) }
        var rank = q * observations
        let b = buckets[..<(buckets.count - 1)].firstIndex { $0.count >= rank } ?? buckets.count - 1
        if b == buckets.count - 1 { return (buckets[buckets.count - 2].upperBound, forced) }
        if b == 0 && buckets[0].upperBound <= 0 { return (buckets[0].upperBound, forced) }
        var start = 0.0
        let end = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            start = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return (start + (end - start) * (rank / count), forced)
    }

    /// The fraction of observations between `lower` and `upper`, interpolating within buckets.
    static func bucketFraction(_ lower: Double, _ upper: Double, _ input: [Bucket]) -> Double {
        let buckets = coalesce(input)
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
        let total = last.count
        if total == 0 || lower.isNaN || upper.isNaN { return .nan }
        if lower >= upper { return 0 }
        var rank = 0.0
        var lowerRank = 0.0
        var upperRank = 0.0
        var lowerSet = false
        var upperSet = false
        for (i, b) in buckets.enumerated() {
            let lowerBound =
                i == 0 ? (b.upperBound > 0 ? 0 : -Double.infinity) : buckets[i - 1].upperBound
            let upperBound = b.upperBound
            func interpolate(_ v: Double) -> Double {
                if lowerBound.isInfinite || upperBound.isInfinite {
                    return lowerBound.isInfinite ? rank : b.count
                }
                return rank + (b.count - rank) * (v - lowerBound) / (upperBound - lowerBound)
            }
            if !lowerSet && lowerBound >= lower {
                lowerRank = rank
                lowerSet = true
            }
            if !upperSet && lowerBound >= upper {
                upperRank = rank
                upperSet = true
            }
            if lowerSet && upperSet { break }
            if !lowerSet && lowerBound < lower && upperBound > lower {
                lowerRank = interpolate(lower)
                lowerSet = true
            }
            if !upperSet && lowerBound < upper && upperBound > upper {
                upperRank = interpolate(upper)
                upperSet = true
            }
            if lowerSet && upperSet { break }
            rank = b.count
        }
        if !lowerSet || lowerRank > total { lowerRank = total }
        if !upperSet || upperRank > total { upperRank = total }
        return (upperRank - lowerRank) / total
    }
}
