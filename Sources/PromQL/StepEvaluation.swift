import Series

/// The evaluation times of a range query: `start + index * interval` for every index below `count`.
struct StepTimes {
    let start: Int64
    let interval: Int64
    let count: Int

    /// The time of step `index`, milliseconds.
    func time(_ index: Int) -> Int64 { start + Int64(index) * interval }
}

/// One series of an expression evaluated at every step of a range query: the indexes of the
/// steps it has a value at, ascending, and those values.
struct StepSeries {
    var labels: Labels
    /// Set when the metric name is to be removed once evaluation ends (see `Element.dropName`).
    var dropName: Bool
    var steps: [Int32] = []
    var values: [Double] = []

    init(labels: Labels, dropName: Bool) {
        self.labels = labels
        self.dropName = dropName
    }

    mutating func append(_ step: Int, _ value: Double) {
        steps.append(Int32(truncatingIfNeeded: step))
        values.append(value)
    }
}

/// An expression evaluated at every step of a range query.
enum StepValue {
    /// A scalar expression: its value at each step.
    case scalars([Double])
    /// An instant-vector expression: its series. At any one step, the series with a value there,
    /// in this order, are the vector of that step.
    case series([StepSeries])
}

/// Range queries, evaluated one expression node at a time over all steps.
///
/// Evaluating the whole tree at each step (`eval(_:at:)`) pays for every node's dispatch, vector
/// allocation and label bookkeeping once per step; a selector's series, a function's windows
/// and an operator's matching are the same at every step, so here each node is evaluated for
/// all steps at once: selectors and range functions walk each series once, operators match
/// series once and then combine values step by step. Nodes without such an evaluation (subqueries,
/// `topk`, `timestamp`, ...) are evaluated step by step as before, their inputs included, so the
/// results are the same either way.
extension Evaluator {
    /// `expr` at every step of `steps` (see `beginSteps`).
    func evalSteps(_ expr: Expr, _ steps: StepTimes) throws -> StepValue {
        try checkLimits()
        switch expr {
        case .paren(let inner):
            return try evalSteps(inner, steps)
        case .number(let value):
            return .scalars(Array(repeating: value, count: steps.count))
        case .vectorSelector(let selector):
            return .series(try selectSteps(selector, steps))
        case .unary(let op, let inner) where inner.type == .scalar || inner.type == .vector:
            let value = try evalSteps(inner, steps)
            guard op == .sub else { return value }
            switch value {
            case .scalars(let values):
                return .scalars(values.map { -$0 })
            case .series(var list):
                for index in list.indices {
                    list[index].values = list[index].values.map { -$0 }
                    list[index].dropName = true
                }
                return .series(list)
            }
        case .binary(let binary) where canEvalSteps(binary):
            return try binarySteps(binary, steps)
        case .aggregate(let aggregate) where canEvalSteps(aggregate):
            return .series(try aggregateSteps(aggregate, steps))
        case .aggregate(let a):
            let param = a.param.flatMap { $0.type == .scalar ? $0 : nil }
            return .series(
                try applySteps([param, a.expr].compactMap { $0 }, steps) { values, time in
                    let stringParam = try a.param.map { $0.type == .string ? try evalString($0, at: time) : "" } ?? ""
                    guard case .vector(let input) = values[values.count - 1] else {
                        throw QueryError.execution("expected instant vector")
                    }
                    let scalarParam: Double
                    if case .scalar(let value) = values[0] { scalarParam = value } else { scalarParam = 0 }
                    return try aggregate(a, input, scalarParam: scalarParam, stringParam: stringParam)
                })
        case .call(let call) where canEvalSteps(call):
            return try callSteps(call, steps)
        case .call(let call) where Evaluator.valueFunctions.contains(call.function.name):
            return .series(
                try applySteps(call.args.filter { $0.type != .string }, steps) { values, time in
                    try applyCall(call, values, at: time)
                })
        default:
            return try evalStepByStep(expr, steps)
        }
    }

    /// Evaluates `inputs` over all steps, then `body` at each step with their values there (and
    /// the step's time): for nodes whose own work is done step by step (`topk`,
    /// `histogram_quantile`, ...), so that their inputs need not be.
    func applySteps(_ inputs: [Expr], _ steps: StepTimes, _ body: ([EvalValue], Int64) throws -> [Element])
        throws -> [StepSeries]
    {
        let values = try inputs.map { try evalSteps($0, steps) }
        var cursors = values.map { value -> StepCursor? in
            if case .series(let list) = value { StepCursor(list) } else { nil }
        }
        var gatherer = StepGatherer()
        var present: [(series: Int, value: Double)] = []
        var arguments: [EvalValue] = []
        for step in 0..<steps.count {
            if step & 255 == 255 { try checkLimits() }
            arguments.removeAll(keepingCapacity: true)
            for index in values.indices {
                switch values[index] {
                case .scalars(let scalars):
                    arguments.append(.scalar(scalars[step]))
                case .series(let list):
                    cursors[index]?.values(at: step, into: &present)
                    arguments.append(
                        .vector(
                            present.map {
                                Element(labels: list[$0.series].labels, value: $0.value, dropName: list[$0.series].dropName)
                            }))
                }
            }
            gatherer.add(try body(arguments, steps.time(step)), step: step)
        }
        return gatherer.series
    }

    /// The series of an instant-vector expression evaluated at every step.
    func seriesSteps(_ expr: Expr, _ steps: StepTimes) throws -> [StepSeries] {
        switch try evalSteps(expr, steps) {
        case .series(let list): return list
        case .scalars(let values):
            var series = StepSeries(labels: .empty, dropName: false)
            for (index, value) in values.enumerated() { series.append(index, value) }
            return [series]
        }
    }

    /// The values of a scalar expression at every step.
    func scalarSteps(_ expr: Expr, _ steps: StepTimes) throws -> [Double] {
        guard case .scalars(let values) = try evalSteps(expr, steps) else {
            throw QueryError.execution("expected scalar")
        }
        return values
    }

    /// Evaluates `expr` with `eval(_:at:)` at each step and gathers the vectors into series.
    func evalStepByStep(_ expr: Expr, _ steps: StepTimes) throws -> StepValue {
        if expr.type == .scalar {
            var values: [Double] = []
            values.reserveCapacity(steps.count)
            for index in 0..<steps.count {
                values.append(try evalStep(index, steps) { try evalScalar(expr, at: $0) })
            }
            return .scalars(values)
        }
        var gatherer = StepGatherer()
        for index in 0..<steps.count {
            gatherer.add(try evalStep(index, steps) { try evalVector(expr, at: $0) }, step: index)
        }
        return .series(gatherer.series)
    }

    /// Runs one step of a step-by-step evaluation with that step's sample counts.
    private func evalStep<T>(_ index: Int, _ steps: StepTimes, _ body: (Int64) throws -> T) throws -> T {
        currentSamples = samplesByStep[index]
        stepSamples = selectedByStep[index]
        defer {
            samplesByStep[index] = currentSamples
            selectedByStep[index] = stepSamples
        }
        return try body(steps.time(index))
    }

    /// Adds what a selector read at each step to the query's counts, failing as `count` does
    /// when one step holds more samples than allowed.
    func countSteps(_ counts: [Int]) throws {
        var peak = peakSamples
        totalSamples += counts.reduce(0, +)
        selectedByStep.withUnsafeMutableBufferPointer { selected in
            samplesByStep.withUnsafeMutableBufferPointer { held in
                for index in counts.indices {
                    selected[index] += counts[index]
                    held[index] += counts[index]
                    peak = max(peak, held[index])
                }
            }
        }
        peakSamples = peak
        if peak > maxSamples { throw QueryError.tooManySamples }
    }

    /// A vector selector at every step: per series, the last sample at or before each step's
    /// reference time within the lookback delta, unless it is a stale marker.
    func selectSteps(_ selector: VectorSelector, _ steps: StepTimes) throws -> [StepSeries] {
        guard let selected = loadedSeries(selector) else { return [] }
        var out: [StepSeries] = []
        var counts = [Int](repeating: 0, count: steps.count)
        for index in 0..<selected.count {
            try checkLimits()
            let range = selected.range(of: index)
            var series = StepSeries(labels: selected.labels[index], dropName: false)
            selected.samples.withUnsafeBufferPointer { samples in
                // The first sample after the reference time; references never decrease.
                var next = range.lowerBound
                for step in 0..<steps.count {
                    let reference = resolve(selector.at, steps.time(step)) - selector.offset
                    while next < range.upperBound, samples[next].timestamp <= reference { next += 1 }
                    guard next > range.lowerBound else { continue }
                    let sample = samples[next - 1]
                    guard sample.timestamp > reference - lookbackDelta, !sample.isStaleMarker else { continue }
                    series.append(step, sample.value)
                    counts[step] += 1
                }
            }
            if !series.steps.isEmpty { out.append(series) }
        }
        try countSteps(counts)
        return out
    }

    /// Calls `body` with each series' window of a range selector at every step where it holds
    /// samples: the series' samples (stale markers left out), the indexes of the window's ones
    /// (in (reference - range, reference]) among them, the window, and the step. Counts the
    /// samples read.
    func forEachWindow(
        _ m: MatrixSelector, _ steps: StepTimes,
        _ body: (
            _ series: Int, _ labels: Labels, _ samples: ArraySlice<Sample>, _ window: Range<Int>, RangeWindow,
            _ step: Int
        ) throws -> Void
    ) throws {
        guard let selected = loadedSeries(m.selector) else { return }
        var counts = [Int](repeating: 0, count: steps.count)
        for index in 0..<selected.count {
            try checkLimits()
            let range = selected.range(of: index)
            let samples =
                selected.hasStaleMarkers[index]
                ? ArraySlice(selected.samples[range].filter { !$0.isStaleMarker }) : selected.samples[range]
            let labels = selected.labels[index]
            var low = samples.startIndex
            var high = samples.startIndex
            for step in 0..<steps.count {
                let reference = resolve(m.selector.at, steps.time(step)) - m.selector.offset
                let start = reference - m.range
                while high < samples.endIndex, samples[high].timestamp <= reference { high += 1 }
                while low < high, samples[low].timestamp <= start { low += 1 }
                guard low < high else { continue }
                counts[step] += high - low
                try body(index, labels, samples, low..<high, RangeWindow(start: start, end: reference, range: m.range), step)
            }
        }
        try countSteps(counts)
    }
}

/// Gathers the vectors of a step-by-step evaluation into series, one per label set (two when
/// one step holds the same labels twice, which the operator above reports).
struct StepGatherer {
    private(set) var series: [StepSeries] = []
    private var index: [Labels: Int] = [:]
    private var identities: [Int] = []
    /// The series each position of the previous step's vector went to: steps usually list the
    /// same series in the same order, and labels sharing storage are equal.
    private var slots: [Int] = []

    mutating func add(_ elements: [Element], step: Int) {
        if slots.count < elements.count { slots += repeatElement(-1, count: elements.count - slots.count) }
        for position in elements.indices {
            let element = elements[position]
            let identity = element.labels.storageIdentity
            let guess = slots[position]
            var found = guess >= 0 && identities[guess] == identity ? guess : index[element.labels]
            if let i = found, series[i].steps.last == Int32(truncatingIfNeeded: step) { found = nil }
            let i: Int
            if let known = found {
                i = known
            } else {
                i = series.count
                index[element.labels] = i
                identities.append(identity)
                series.append(StepSeries(labels: element.labels, dropName: false))
            }
            slots[position] = i
            series[i].append(step, element.value)
            if element.dropName { series[i].dropName = true }
        }
    }
}
