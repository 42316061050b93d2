import Series

/// Function calls evaluated over all steps at once (see `evalSteps`).
extension Evaluator {
    /// Whether `callSteps` evaluates `call`; other calls go step by step.
    func canEvalSteps(_ call: Call) -> Bool {
        let name = call.function.name
        switch name {
        case "time", "pi", "vector", "scalar", "histogram_quantile":
            return true
        case "label_replace", "label_join":
            return call.args.dropFirst().allSatisfy { if case .string = $0.unwrapped { true } else { false } }
        case "absent_over_time":
            return false
        default:
            break
        }
        if Evaluator.mathFunctions[name] != nil { return true }
        if Evaluator.dateFunctions[name] != nil { return call.args.count == 1 }
        let matrixArguments = call.args.filter { $0.type == .matrix }
        guard matrixArguments.count == 1, case .matrixSelector = matrixArguments[0] else { return false }
        return true
    }

    /// A call `canEvalSteps` accepts, at every step.
    func callSteps(_ call: Call, _ steps: StepTimes) throws -> StepValue {
        let name = call.function.name
        switch name {
        case "time":
            return .scalars((0..<steps.count).map { Double(steps.time($0)) / 1000 })
        case "pi":
            return .scalars(Array(repeating: Double.pi, count: steps.count))
        case "vector":
            var series = StepSeries(labels: .empty, dropName: false)
            for (step, value) in try scalarSteps(call.args[0], steps).enumerated() { series.append(step, value) }
            return .series([series])
        case "scalar":
            var values = [Double](repeating: .nan, count: steps.count)
            var present = [Int](repeating: 0, count: steps.count)
            for series in try seriesSteps(call.args[0], steps) {
                for (position, step) in series.steps.enumerated() {
                    present[Int(step)] += 1
                    values[Int(step)] = series.values[position]
                }
            }
            return .scalars(zip(values, present).map { $1 == 1 ? $0 : .nan })
        case "histogram_quantile":
            return .series(try histogramQuantileSteps(call, steps))
        case "label_replace", "label_join":
            var input = try seriesSteps(call.args[0], steps)
            let relabelling =
                name == "label_replace"
                ? try labelReplaceRelabelling(call, at: steps.start) : try labelJoinRelabelling(call, at: steps.start)
            for index in input.indices {
                let before = input[index].labels
                input[index].labels = relabelling.relabel(before)
                if relabelling.keepsName(before) { input[index].dropName = false }
            }
            try checkStepDuplicates(input)
            return .series(input)
        default:
            break
        }
        if let function = Evaluator.mathFunctions[name] ?? Evaluator.dateFunctions[name] {
            var input = try seriesSteps(call.args[0], steps)
            for index in input.indices {
                input[index].values = input[index].values.map(function)
                input[index].dropName = true
            }
            return .series(input)
        }
        return .series(try rangeFunctionSteps(call, steps))
    }

    /// A function of a range selector (`rate`, `*_over_time`, ...) at every step.
    private func rangeFunctionSteps(_ call: Call, _ steps: StepTimes) throws -> [StepSeries] {
        let name = call.function.name
        guard case .matrixSelector(let m)? = call.args.first(where: { $0.type == .matrix }) else {
            throw QueryError.execution("unsupported function \(name)")
        }
        let params = try call.args.filter { $0.type == .scalar }.map { try scalarSteps($0, steps) }
        let apply: (RangeSeries, RangeWindow, Int64, Int) -> Double?
        var keepsName = false
        // rate and increase add the value before each counter reset in a window; the resets of
        // a series are found once, so a window looks only at those inside it.
        var resets: [Int] = []
        var nextReset = 0
        if name == "rate" || name == "increase" {
            let isRate = name == "rate"
            apply = { series, window, _, _ in
                let samples = series.samples
                guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
                while nextReset < resets.count, resets[nextReset] <= samples.startIndex { nextReset += 1 }
                var result = last.value - first.value
                var reset = nextReset
                while reset < resets.count, resets[reset] < samples.endIndex {
                    result += samples[resets[reset] - 1].value
                    reset += 1
                }
                return Evaluator.extrapolate(
                    result, first: first, last: last, count: samples.count, window, isCounter: true, isRate: isRate)
            }
        } else if let rate = Evaluator.rateFunctions[name] {
            apply = { series, window, time, _ in rate(series, window, time) }
        } else {
            // The function of each step's parameters, built again only when they change.
            var functions: [OverTimeFunction] = []
            var functionOfStep = [Int](repeating: 0, count: steps.count)
            var previous: [Double]?
            for step in 0..<steps.count {
                let values = params.map { $0[step] }
                if values != previous {
                    let (function, keeps) = try overTimeFunction(name, values)
                    functions.append(function)
                    keepsName = keeps
                    previous = values
                }
                functionOfStep[step] = functions.count - 1
            }
            apply = { series, _, time, step in functions[functionOfStep[step]](series.samples, time) }
        }
        let checksCounter = name == "rate" || name == "increase"
        var out: [StepSeries] = []
        var current = -1
        var noted = false
        try forEachWindow(m, steps) { index, labels, samples, range, window, step in
            if index != current {
                current = index
                noted = false
                out.append(StepSeries(labels: labels, dropName: !keepsName))
                if checksCounter {
                    resets = samples.indices.dropFirst().filter { samples[$0].value < samples[$0 - 1].value }
                    nextReset = 0
                }
            }
            if checksCounter && !noted && range.count >= 2 {
                noteNonCounter(labels.metricName)
                noted = true
            }
            let time = steps.time(step)
            if let value = apply(RangeSeries(labels: labels, samples: samples[range]), window, time, step) {
                out[out.count - 1].append(step, value)
            }
        }
        return out.filter { !$0.steps.isEmpty }
    }

    /// `histogram_quantile` at every step: each series' bucket group and bound are worked out
    /// once, then each step's buckets are gathered by group (as `histogramQuantile` does).
    private func histogramQuantileSteps(_ call: Call, _ steps: StepTimes) throws -> [StepSeries] {
        let quantiles = try scalarSteps(call.args[0], steps)
        let input = try seriesSteps(call.args[1], steps)
        for q in quantiles { warnIfInvalid(quantile: q) }
        var table = bucketTable ?? BucketTable()
        defer { bucketTable = table }
        let buckets = input.enumerated().map { index, series in
            let bucket = table.bucket(for: series.labels, at: index)
            if bucket.bound == nil { warnMalformedBucket(series.labels) }
            return bucket
        }
        var out = table.keys.map { StepSeries(labels: $0, dropName: true) }
        var gathered = [[Bucket]](repeating: [], count: table.keys.count)
        var order: [Int] = []
        var cursor = StepCursor(input)
        var present: [(series: Int, value: Double)] = []
        for step in 0..<steps.count {
            if step & 1023 == 1023 { try checkLimits() }
            cursor.values(at: step, into: &present)
            order.removeAll(keepingCapacity: true)
            for (series, value) in present {
                guard let bound = buckets[series].bound else { continue }
                let id = buckets[series].id
                if gathered[id].isEmpty { order.append(id) }
                gathered[id].append(Bucket(upperBound: bound, count: value))
            }
            for id in order {
                let (value, forcedMonotonic) = Evaluator.bucketQuantile(quantiles[step], gathered[id])
                if forcedMonotonic { noteForcedMonotonic(table.keys[id]) }
                out[id].append(step, value)
                gathered[id].removeAll(keepingCapacity: true)
            }
        }
        return out.filter { !$0.steps.isEmpty }
    }

    /// Fails when two series with equal labels both have a value at one step, as Prometheus
    /// checks an operator's output at every step.
    func checkStepDuplicates(_ list: [StepSeries]) throws {
        var first: [Labels: Int] = [:]
        var others: [Int: [Int]] = [:]
        for index in list.indices {
            if let known = first[list[index].labels] {
                others[known, default: []].append(index)
            } else {
                first[list[index].labels] = index
            }
        }
        for (index, rest) in others {
            var seen = Set(list[index].steps)
            for other in rest {
                for step in list[other].steps where !seen.insert(step).inserted {
                    throw QueryError.execution("vector cannot contain metrics with the same labelset")
                }
            }
        }
    }
}
