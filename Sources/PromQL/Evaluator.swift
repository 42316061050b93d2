import Series

/// The series one selector matched, loaded once per query: labels, and all raw samples (stale
/// markers included) in one array, series after series.
///
/// Range queries look samples up at times that grow step by step, so each lookup starts where
/// the previous one for the same series ended and moves forward a few samples instead of
/// searching the whole series; a lookup further back, or far ahead, searches. Lookups are always
/// exact: the cursors only make them cheaper. A class with flat arrays, read through unsafe
/// buffers during a step, so that steps neither copy nor retain per series.
final class SelectedSeries {
    let labels: [Labels]
    /// Every series' samples, series after series; series `i` holds `starts[i]..<ends[i]`.
    let samples: [Sample]
    private let starts: [Int]
    private let ends: [Int]
    /// Whether each series holds a stale marker; without one, a range is sliced as it is.
    let hasStaleMarkers: [Bool]
    /// Per series and cursor slot (`series * slots + slot`): the last index found, and its time.
    private var cursorIndex: [Int]
    private var cursorTime: [Int64]

    /// The cursor slots: instant lookups and range ends use slot 0, range starts slot 1.
    static let slots = 2

    /// Series `i` has `labels[i]` and the samples `samples[starts[i]..<ends[i]]`.
    init(labels: [Labels], samples: [Sample], starts: [Int], ends: [Int]) {
        self.labels = labels
        self.samples = samples
        self.starts = starts
        self.ends = ends
        hasStaleMarkers = zip(starts, ends).map { start, end in samples[start..<end].contains { $0.isStaleMarker } }
        cursorIndex = starts.flatMap { Array(repeating: $0, count: SelectedSeries.slots) }
        cursorTime = Array(repeating: .min, count: starts.count * SelectedSeries.slots)
    }

    var count: Int { labels.count }

    /// The indexes of series `i`'s samples in `samples`.
    func range(of i: Int) -> Range<Int> { starts[i]..<ends[i] }

    /// Runs `body` with the lookups of one step.
    func withLookup<T>(_ body: (inout Lookup) throws -> T) rethrows -> T {
        try samples.withUnsafeBufferPointer { samples in
            try starts.withUnsafeBufferPointer { starts in
                try ends.withUnsafeBufferPointer { ends in
                    try cursorIndex.withUnsafeMutableBufferPointer { cursorIndex in
                        try cursorTime.withUnsafeMutableBufferPointer { cursorTime in
                            var lookup = Lookup(
                                samples: samples, starts: starts, ends: ends, cursorIndex: cursorIndex,
                                cursorTime: cursorTime)
                            return try body(&lookup)
                        }
                    }
                }
            }
        }
    }

    /// Sample lookups during one step (see `withLookup`); indexes are into `samples`.
    struct Lookup {
        let samples: UnsafeBufferPointer<Sample>
        let starts: UnsafeBufferPointer<Int>
        let ends: UnsafeBufferPointer<Int>
        let cursorIndex: UnsafeMutableBufferPointer<Int>
        let cursorTime: UnsafeMutableBufferPointer<Int64>

        /// The first index of series `series`.
        func start(_ series: Int) -> Int { starts[series] }

        /// The index of the first sample of series `series` with a timestamp greater than `time`
        /// (its end when there is none).
        mutating func upperBound(_ series: Int, _ time: Int64, slot: Int) -> Int {
            let cursor = series * SelectedSeries.slots + slot
            let end = ends[series]
            var index = cursorIndex[cursor]
            if time >= cursorTime[cursor] {
                var moved = 0
                while index < end, samples[index].timestamp <= time {
                    index += 1
                    moved += 1
                    if moved == 8 {
                        index = search(time, from: index, to: end)
                        break
                    }
                }
            } else {
                index = search(time, from: starts[series], to: index)
            }
            cursorIndex[cursor] = index
            cursorTime[cursor] = time
            return index
        }

        private func search(_ time: Int64, from: Int, to: Int) -> Int {
            var low = from
            var high = to
            while low < high {
                let mid = (low + high) / 2
                if samples[mid].timestamp <= time { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}

/// Evaluates an expression step by step against preloaded series.
///
/// Each evaluation time is computed independently; range queries and subqueries evaluate their
/// inner expression at every step. Selected series are loaded once per query for the whole
/// time span any step may read.
final class Evaluator {
    let source: any SeriesSource
    let queryStart: Int64
    let queryEnd: Int64
    let lookbackDelta: Int64
    let defaultSubqueryStep: Int64
    let maxSamples: Int
    let deadline: ContinuousClock.Instant?
    /// Asked at every evaluation step whether the caller gave up on the query.
    var isCancelled: (@Sendable () -> Bool)?
    /// The series each selector matched and the window to read, until `load` reads them.
    private var selections: [(key: String, min: Int64, max: Int64, series: [StoredSeries])] = []
    var series: [String: SelectedSeries] = [:]
    var warnings: [String] = []
    var infos: [String] = []
    var currentSamples = 0
    /// The most samples held by one evaluation step (Prometheus's `peakSamples`).
    var peakSamples = 0
    /// Samples read from storage by selectors, over all steps (`totalQueryableSamples`).
    var totalSamples = 0
    /// Samples read from storage by selectors during the current top-level step.
    var stepSamples = 0
    /// In a range query evaluated node by node (see `evalSteps`): `currentSamples` and
    /// `stepSamples` of every step.
    var samplesByStep: [Int] = []
    var selectedByStep: [Int] = []
    /// Results of subquery inner expressions by canonical text and step time, so overlapping
    /// windows of consecutive steps are evaluated once.
    var subqueryResults: [String: [Int64: [Element]]] = [:]
    /// Metric names `rate`/`increase` have already checked for a counter-like suffix.
    var checkedCounterNames = Set<String>()
    /// The name checked last: consecutive series usually share it.
    var lastCheckedCounterName = ""
    /// Selector keys by the identity of their matcher lists (see `cachedKey`).
    var selectorKeys: [Int: (matchers: [LabelMatcher], key: String, series: SelectedSeries?)] = [:]
    /// Calls of `checkLimits`, to read the clock at every 32nd only.
    var limitChecks = 0
    /// Per-site memos of label computations that repeat at every step (see `LabelsMemo`).
    var memos: [SiteKey: LabelsMemo] = [:]
    /// Bucket groups and bounds of `histogram_quantile` and `histogram_fraction` (see `BucketTable`).
    var bucketTable: BucketTable?
    /// Per-aggregation group numbering, kept across steps (see `GroupTable`).
    var groupTables: [SiteKey: GroupTable] = [:]
    /// The outputs last found free of duplicate label sets, per operator site (see `checkDuplicates`).
    var uniqueOutputs: [SiteKey: [Labels]] = [:]
    /// The output labels of `count_values`, by its label name and then group and value.
    var countValuesLabels: [String: [CountValuesKey: Labels]] = [:]
    /// Interned signatures (see `intern`).
    var internedLabels: [Labels: Labels] = [:]
    /// Compiled regular expressions of `label_replace`, by pattern.
    var regexes: [String: AnchoredRegex] = [:]

    init(
        source: any SeriesSource, start: Int64, end: Int64, lookbackDelta: Int64,
        defaultSubqueryStep: Int64,
        maxSamples: Int, deadline: ContinuousClock.Instant?, isCancelled: (@Sendable () -> Bool)? = nil
    ) {
        self.source = source
        self.queryStart = start
        self.queryEnd = end
        self.lookbackDelta = lookbackDelta
        self.defaultSubqueryStep = defaultSubqueryStep
        self.maxSamples = maxSamples
        self.deadline = deadline
        self.isCancelled = isCancelled
    }

    func warn(_ message: String) {
        let text = "PromQL warning: " + message
        if !warnings.contains(text) { warnings.append(text) }
    }

    func info(_ message: String) {
        let text = "PromQL info: " + message
        if !infos.contains(text) { infos.append(text) }
    }

    func checkLimits() throws {
        // Every node of every step comes here: the flags at each call, the clock at the first
        // and then every 32nd.
        if Task.isCancelled || isCancelled?() == true { throw QueryError.canceled }
        limitChecks &+= 1
        if limitChecks & 31 == 1, let deadline, ContinuousClock.now > deadline { throw QueryError.timeout }
    }

    func count(_ samples: Int) throws {
        currentSamples += samples
        peakSamples = max(peakSamples, currentSamples)
        if currentSamples > maxSamples { throw QueryError.tooManySamples }
    }

    // MARK: Loading

    static func key(_ selector: VectorSelector) -> String {
        selector.matchers.map(\.description).joined(separator: ",")
    }

    /// `Evaluator.key(selector)`, remembered by the identity of the selector's matcher list (the
    /// same list at every step), so steps do not render matchers again.
    func cachedKey(_ selector: VectorSelector) -> String {
        let identity = selector.matchers.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        if let entry = selectorKeys[identity], entry.matchers == selector.matchers { return entry.key }
        let key = Evaluator.key(selector)
        selectorKeys[identity] = (selector.matchers, key, series[key])
        return key
    }

    /// The loaded series of `selector`, found through the identity of its matcher list (see
    /// `cachedKey`), so a step hashes one integer instead of the selector's text.
    func loadedSeries(_ selector: VectorSelector) -> SelectedSeries? {
        let identity = selector.matchers.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        if let entry = selectorKeys[identity], entry.matchers == selector.matchers { return entry.series }
        _ = cachedKey(selector)
        return selectorKeys[identity]?.series
    }

    func resolve(_ at: AtModifier?, _ time: Int64) -> Int64 {
        switch at {
        case nil: return time
        case .timestamp(let t)?: return t
        case .start?: return queryStart
        case .end?: return queryEnd
        }
    }

    /// Selects every selector's series for the widest window any evaluation step can read;
    /// `load` reads their samples.
    func select(_ expr: Expr) throws {
        var windows: [String: (matchers: [LabelMatcher], min: Int64, max: Int64)] = [:]
        collectWindows(expr, from: queryStart, to: queryEnd, into: &windows)
        for (key, window) in windows {
            do {
                let selected = try source.select(matchers: window.matchers, minTime: window.min, maxTime: window.max)
                selections.append((key, window.min, window.max, selected))
            } catch let error as SeriesError {
                throw QueryError.nativeHistogram(error.description)
            }
        }
    }

    /// Reads the samples of the series `select` chose.
    func load() throws {
        var loadedSamples = 0
        for selection in selections {
            var labels: [Labels] = []
            var samples: [Sample] = []
            var starts: [Int] = []
            var ends: [Int] = []
            labels.reserveCapacity(selection.series.count)
            for stored in selection.series {
                try checkLimits()
                var iterator = stored.makeIterator()
                starts.append(samples.count)
                do {
                    try iterator.appendRemaining(to: &samples, minTime: selection.min, maxTime: selection.max)
                } catch let error as SeriesError {
                    throw QueryError.nativeHistogram(error.description)
                }
                ends.append(samples.count)
                labels.append(stored.labels)
                loadedSamples += samples.count - starts[starts.count - 1]
                // What is held in memory is bounded too: a query whose selectors load more than
                // the limit is refused before it is evaluated.
                if loadedSamples > maxSamples { throw QueryError.tooManySamples }
            }
            series[selection.key] = SelectedSeries(labels: labels, samples: samples, starts: starts, ends: ends)
        }
        selections = []
    }

    /// The samples `steps` evaluation steps of `expr` are foreseen to read, after `select`: per
    /// selector, its series times the steps times the samples its range holds at one sample
    /// every 10 s (an instant selector reads one). Nil when `expr` has a subquery, whose inner
    /// steps this does not foresee.
    func foreseenSamples(_ expr: Expr, steps: Int) -> Double? {
        var matched: [String: Int] = [:]
        for selection in selections { matched[selection.key] = selection.series.count }
        func samples(_ expr: Expr) -> Double? {
            switch expr {
            case .number, .string:
                return 0
            case .vectorSelector(let selector):
                return Double(matched[Evaluator.key(selector)] ?? 0) * Double(steps)
            case .matrixSelector(let m):
                let perStep = max(1, Double(m.range) / 10_000)
                return Double(matched[Evaluator.key(m.selector)] ?? 0) * Double(steps) * perStep
            case .subquery:
                return nil
            case .paren(let inner), .unary(_, let inner):
                return samples(inner)
            case .binary(let bin):
                guard let lhs = samples(bin.lhs), let rhs = samples(bin.rhs) else { return nil }
                return lhs + rhs
            case .aggregate(let agg):
                guard let inner = samples(agg.expr) else { return nil }
                guard let param = agg.param else { return inner }
                return samples(param).map { inner + $0 }
            case .call(let call):
                var total = 0.0
                for arg in call.args {
                    guard let part = samples(arg) else { return nil }
                    total += part
                }
                return total
            }
        }
        return samples(expr)
    }

    private func collectWindows(
        _ expr: Expr, from a: Int64, to b: Int64,
        into windows: inout [String: (matchers: [LabelMatcher], min: Int64, max: Int64)]
    ) {
        func record(_ selector: VectorSelector, range: Int64) {
            let start = (selector.at == nil ? a : resolve(selector.at, a)) - selector.offset
            let end = (selector.at == nil ? b : resolve(selector.at, b)) - selector.offset
            let low = start - (range == 0 ? lookbackDelta : range) + 1
            let key = Evaluator.key(selector)
            if let existing = windows[key] {
                windows[key] = (selector.matchers, min(existing.min, low), max(existing.max, end))
            } else {
                windows[key] = (selector.matchers, low, end)
            }
        }
        switch expr {
        case .number, .string:
            return
        case .vectorSelector(let s):
            record(s, range: 0)
        case .matrixSelector(let m):
            record(m.selector, range: m.range)
        case .subquery(let s):
            let start = (s.at == nil ? a : resolve(s.at, a)) - s.offset
            let end = (s.at == nil ? b : resolve(s.at, b)) - s.offset
            collectWindows(s.expr, from: start - s.range, to: end, into: &windows)
        case .paren(let inner), .unary(_, let inner):
            collectWindows(inner, from: a, to: b, into: &windows)
        case .binary(let bin):
            collectWindows(bin.lhs, from: a, to: b, into: &windows)
            collectWindows(bin.rhs, from: a, to: b, into: &windows)
        case .aggregate(let agg):
            if let param = agg.param { collectWindows(param, from: a, to: b, into: &windows) }
            collectWindows(agg.expr, from: a, to: b, into: &windows)
        case .call(let call):
            for arg in call.args { collectWindows(arg, from: a, to: b, into: &windows) }
        }
    }

    // MARK: Evaluation

    func eval(_ expr: Expr, at time: Int64) throws -> EvalValue {
        try checkLimits()
        switch expr {
        case .number(let value):
            return .scalar(value)
        case .string(let value, _):
            return .string(value)
        case .paren(let inner):
            return try eval(inner, at: time)
        case .vectorSelector(let selector):
            return .vector(try selectVector(selector, at: time))
        case .matrixSelector(let m):
            return try selectMatrix(m, at: time)
        case .subquery(let s):
            return try evalSubquery(s, at: time)
        case .unary(let op, let inner):
            let value = try eval(inner, at: time)
            guard op == .sub else { return value }
            switch value {
            case .scalar(let v):
                return .scalar(-v)
            case .vector(let elements):
                return .vector(
                    elements.map { Element(labels: $0.labels, value: -$0.value, dropName: true) })
            default:
                throw QueryError.execution(
                    "unary expression only allowed on expressions of type scalar or instant vector")
            }
        case .binary(let binary):
            return try evalBinary(binary, at: time)
        case .aggregate(let aggregate):
            return .vector(try evalAggregate(aggregate, at: time))
        case .call(let call):
            return try evalCall(call, at: time)
        }
    }

    /// Evaluates an expression to an instant vector; a scalar becomes one element without labels,
    /// as a range query over a scalar expression returns it.
    func evalVector(_ expr: Expr, at time: Int64) throws -> [Element] {
        switch try eval(expr, at: time) {
        case .vector(let elements): return elements
        case .scalar(let value): return [Element(labels: .empty, value: value)]
        default: throw QueryError.execution("expected instant vector")
        }
    }

    func evalScalar(_ expr: Expr, at time: Int64) throws -> Double {
        guard case .scalar(let value) = try eval(expr, at: time) else {
            throw QueryError.execution("expected scalar")
        }
        return value
    }

    func evalString(_ expr: Expr, at time: Int64) throws -> String {
        guard case .string(let value) = try eval(expr, at: time) else {
            throw QueryError.execution("expected string")
        }
        return value
    }

    func selectVector(_ selector: VectorSelector, at time: Int64) throws -> [Element] {
        let reference = resolve(selector.at, time) - selector.offset
        var out: [Element] = []
        if let selected = loadedSeries(selector) {
            out.reserveCapacity(selected.count)
            selected.withLookup { lookup in
                for i in 0..<selected.count {
                    let index = lookup.upperBound(i, reference, slot: 0) - 1
                    guard index >= lookup.start(i) else { continue }
                    let sample = lookup.samples[index]
                    guard sample.timestamp > reference - lookbackDelta, !sample.isStaleMarker else { continue }
                    out.append(Element(labels: selected.labels[i], value: sample.value, sampleTime: sample.timestamp))
                }
            }
        }
        totalSamples += out.count
        stepSamples += out.count
        try count(out.count)
        return out
    }

    func selectMatrix(_ m: MatrixSelector, at time: Int64) throws -> EvalValue {
        let reference = resolve(m.selector.at, time) - m.selector.offset
        let start = reference - m.range
        var out: [RangeSeries] = []
        var total = 0
        if let selected = loadedSeries(m.selector) {
            out.reserveCapacity(selected.count)
            selected.withLookup { lookup in
                for i in 0..<selected.count {
                    let high = lookup.upperBound(i, reference, slot: 0)
                    let low = lookup.upperBound(i, start, slot: 1)
                    guard low < high else { continue }
                    let samples =
                        selected.hasStaleMarkers[i]
                        ? ArraySlice(selected.samples[low..<high].filter { !$0.isStaleMarker })
                        : selected.samples[low..<high]
                    guard !samples.isEmpty else { continue }
                    total += samples.count
                    out.append(RangeSeries(labels: selected.labels[i], samples: samples))
                }
            }
        }
        totalSamples += total
        stepSamples += total
        try count(total)
        return .matrix(out, RangeWindow(start: start, end: reference, range: m.range))
    }

    func evalSubquery(_ s: SubqueryExpr, at time: Int64) throws -> EvalValue {
        let reference = resolve(s.at, time) - s.offset
        let step = s.step > 0 ? s.step : max(defaultSubqueryStep, 1)
        let rangeStart = reference - s.range
        var first = step * (rangeStart / step)
        if first <= rangeStart { first += step }
        var index: [Labels: Int] = [:]
        var out: [RangeSeries] = []
        let key = "\(step) \(s.expr)"
        var cache = subqueryResults[key] ?? [:]
        defer { subqueryResults[key] = cache }
        var t = first
        while t <= reference {
            let elements: [Element]
            if let cached = cache[t] {
                elements = cached
            } else {
                elements = try evalVector(s.expr, at: t)
                cache[t] = elements
            }
            try count(elements.count)
            for element in elements {
                if let i = index[element.labels] {
                    out[i].samples.append(Sample(timestamp: t, value: element.value))
                    out[i].dropName = out[i].dropName || element.dropName
                } else {
                    index[element.labels] = out.count
                    out.append(
                        RangeSeries(
                            labels: element.labels, samples: [Sample(timestamp: t, value: element.value)],
                            dropName: element.dropName))
                }
            }
            t += step
        }
        return .matrix(out, RangeWindow(start: rangeStart, end: reference, range: s.range))
    }

    /// Fails when two elements share a label set, as Prometheus checks every operator's output.
    ///
    /// Operators at `site` usually produce the very same label sets at every step (memoised
    /// storage); a vector whose labels share storage, position by position, with one already
    /// found unique is unique too, and needs no hashing. The labels checked last are kept alive,
    /// so their storage cannot be reused by other labels meanwhile.
    func checkDuplicates(_ elements: [Element], site: SiteKey? = nil) throws {
        if let site, let verified = uniqueOutputs[site], verified.count == elements.count,
            zip(verified, elements).allSatisfy({ $0.storageIdentity == $1.labels.storageIdentity })
        {
            return
        }
        var seen = Set<Labels>()
        for element in elements where !seen.insert(element.labels).inserted {
            throw QueryError.execution("vector cannot contain metrics with the same labelset")
        }
        if let site { uniqueOutputs[site] = elements.map(\.labels) }
    }

    /// One copy per distinct label set of the signatures the binary operators compute, so that
    /// equal signatures share storage (see `vectorVector`).
    func intern(_ labels: Labels) -> Labels {
        if let known = internedLabels[labels] { return known }
        internedLabels[labels] = labels
        return labels
    }
}
