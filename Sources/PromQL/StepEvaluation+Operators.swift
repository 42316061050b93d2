import Series

/// Binary operators and aggregations evaluated over all steps at once (see `evalSteps`): the
/// matching signatures and grouping keys of series are worked out once, then values are combined
/// step by step.
extension Evaluator {
    /// Whether `binarySteps` evaluates `b`: operators between scalars and instant vectors.
    func canEvalSteps(_ b: BinaryExpr) -> Bool {
        (b.lhs.type == .scalar || b.lhs.type == .vector) && (b.rhs.type == .scalar || b.rhs.type == .vector)
    }

    /// Whether `aggregateSteps` evaluates `a`: the aggregations without a parameter, `topk`,
    /// `bottomk`, `limitk` and `count_values`.
    func canEvalSteps(_ a: AggregateExpr) -> Bool {
        switch a.op {
        case .sum, .avg, .count, .min, .max, .group, .stddev, .stdvar: return a.param == nil
        case .topk, .bottomk, .limitk: return a.param?.type == .scalar
        case .countValues: return a.param?.type == .string
        default: return false
        }
    }

    /// Numbers the groups of aggregation `a` over `input`: each series' group, and each group's key.
    private func groups(_ a: AggregateExpr, _ input: [StepSeries]) -> (ofSeries: [Int], keys: [Labels]) {
        var ids: [Labels: Int] = [:]
        var keys: [Labels] = []
        let ofSeries = input.map { series in
            let key = groupingKey(series.labels, a)
            if let known = ids[key] { return known }
            ids[key] = keys.count
            keys.append(key)
            return keys.count - 1
        }
        return (ofSeries, keys)
    }

    /// `topk`, `bottomk` and `limitk` at every step: which series of each group remain at each
    /// step, with their labels and values (as `selectK` chooses them).
    func selectionSteps(_ a: AggregateExpr, _ steps: StepTimes) throws -> [StepSeries] {
        guard let param = a.param else { throw QueryError.execution("\(a.op) needs a parameter") }
        let params = try scalarSteps(param, steps)
        let input = try seriesSteps(a.expr, steps)
        let groupOfSeries = groups(a, input).ofSeries
        var out = input.map { StepSeries(labels: $0.labels, dropName: $0.dropName) }
        var cursor = StepCursor(input)
        var present: [(series: Int, value: Double)] = []
        var members: [Int: [(series: Int, value: Double)]] = [:]
        var order: [Int] = []
        for step in 0..<steps.count {
            if step & 1023 == 1023 { try checkLimits() }
            guard !params[step].isNaN else { throw QueryError.execution("Parameter value is NaN") }
            let k = Evaluator.selectionSize(params[step])
            cursor.values(at: step, into: &present)
            members.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            for member in present {
                let id = groupOfSeries[member.series]
                if members[id] == nil { order.append(id) }
                members[id, default: []].append(member)
            }
            for id in order {
                let candidates = members[id] ?? []
                let kept =
                    a.op == .limitk
                    ? Array(candidates.prefix(k)) : Evaluator.first(k, of: candidates, topk: a.op == .topk) { $0.value }
                for member in kept { out[member.series].append(step, member.value) }
            }
        }
        return out.filter { !$0.steps.isEmpty }
    }

    /// A binary operation `canEvalSteps` accepts, at every step.
    func binarySteps(_ b: BinaryExpr, _ steps: StepTimes) throws -> StepValue {
        let lhs = try evalSteps(b.lhs, steps)
        let rhs = try evalSteps(b.rhs, steps)
        switch (lhs, rhs) {
        case (.scalars(let l), .scalars(let r)):
            return .scalars(
                zip(l, r).map { l, r in
                    let (value, keep) = Evaluator.apply(b.op, l, r)
                    return b.returnBool ? (keep ? 1 : 0) : value
                })
        case (.series(let l), .scalars(let r)):
            return .series(vectorScalarSteps(b, l, r, swapped: false))
        case (.scalars(let l), .series(let r)):
            return .series(vectorScalarSteps(b, r, l, swapped: true))
        case (.series(let l), .series(let r)):
            let matching = b.matching ?? VectorMatching()
            let out =
                b.op.isSetOperator
                ? setOperationSteps(b.op, l, r, matching) : try matchedSteps(b, l, r, matching, steps)
            try checkStepDuplicates(out)
            return .series(out)
        }
    }

    private func vectorScalarSteps(_ b: BinaryExpr, _ vector: [StepSeries], _ scalars: [Double], swapped: Bool)
        -> [StepSeries]
    {
        var out: [StepSeries] = []
        for series in vector {
            var result = StepSeries(
                labels: series.labels, dropName: series.dropName || !b.op.isComparison || b.returnBool)
            for (position, step) in series.steps.enumerated() {
                let scalar = scalars[Int(step)]
                let element = series.values[position]
                let (l, r) = swapped ? (scalar, element) : (element, scalar)
                var (value, keep) = Evaluator.apply(b.op, l, r)
                if b.op.isComparison && swapped { value = r }
                if b.returnBool {
                    value = keep ? 1 : 0
                    keep = true
                }
                if keep { result.append(Int(step), value) }
            }
            if !result.steps.isEmpty { out.append(result) }
        }
        return out
    }

    /// Numbers the matching signatures of both sides: equal signatures, equal numbers.
    private func signatureIDs(_ l: [StepSeries], _ r: [StepSeries], _ m: VectorMatching) -> (
        lhs: [Int], rhs: [Int], count: Int
    ) {
        var ids: [Labels: Int] = [:]
        func id(_ series: StepSeries) -> Int {
            let signature = Evaluator.signature(series.labels, m)
            if let known = ids[signature] { return known }
            ids[signature] = ids.count
            return ids.count - 1
        }
        let lhs = l.map(id)
        let rhs = r.map(id)
        return (lhs, rhs, ids.count)
    }

    /// `and`, `or` and `unless`: which steps of each side's series remain.
    private func setOperationSteps(_ op: BinaryOperator, _ l: [StepSeries], _ r: [StepSeries], _ m: VectorMatching)
        -> [StepSeries]
    {
        let (lhsIDs, rhsIDs, count) = signatureIDs(l, r, m)
        /// The steps at which some series of `side` with each signature has a value, ascending.
        func presence(_ side: [StepSeries], _ ids: [Int]) -> [[Int32]] {
            var out = [[Int32]](repeating: [], count: count)
            var merged = [Bool](repeating: false, count: count)
            for (index, series) in side.enumerated() {
                let id = ids[index]
                if out[id].isEmpty {
                    out[id] = series.steps
                } else {
                    out[id] += series.steps
                    merged[id] = true
                }
            }
            for id in out.indices where merged[id] { out[id] = Array(Set(out[id])).sorted() }
            return out
        }
        /// `series` at the steps that are (`present`) or are not in `other`, ascending.
        func filter(_ series: StepSeries, _ other: [Int32], present: Bool) -> StepSeries {
            var result = StepSeries(labels: series.labels, dropName: series.dropName)
            var next = 0
            for (position, step) in series.steps.enumerated() {
                while next < other.count, other[next] < step { next += 1 }
                if (next < other.count && other[next] == step) == present {
                    result.append(Int(step), series.values[position])
                }
            }
            return result
        }
        var out: [StepSeries]
        switch op {
        case .and, .unless:
            let right = presence(r, rhsIDs)
            out = l.enumerated().map { index, series in filter(series, right[lhsIDs[index]], present: op == .and) }
        default:
            let left = presence(l, lhsIDs)
            out = l + r.enumerated().map { index, series in filter(series, left[rhsIDs[index]], present: false) }
        }
        return out.filter { !$0.steps.isEmpty }
    }

    /// An arithmetic or comparison operator between vectors, step by step with the checks and
    /// errors of `vectorVector`: the "one" side's series are matched to the "many" side's once
    /// per signature and step, and each pair of series gives one result series (each series of
    /// the "many" side, unless `group_left`/`group_right` copy labels from the other side).
    private func matchedSteps(
        _ b: BinaryExpr, _ lhs: [StepSeries], _ rhs: [StepSeries], _ m: VectorMatching, _ steps: StepTimes
    ) throws -> [StepSeries] {
        if lhs.isEmpty || rhs.isEmpty { return [] }
        let oneToMany = m.card == .oneToMany
        let (many, one) = oneToMany ? (rhs, lhs) : (lhs, rhs)
        let (manyIDs, oneIDs, count) = signatureIDs(many, one, m)
        var out: [StepSeries] = []
        var outputOfSeries = [Int](repeating: -1, count: many.count)
        var outputOfPair: [Int: Int] = [:]
        func output(_ series: Int, _ other: Int) -> Int {
            let key = m.include.isEmpty ? series : series * one.count + other
            if m.include.isEmpty, outputOfSeries[series] >= 0 { return outputOfSeries[series] }
            if !m.include.isEmpty, let known = outputOfPair[key] { return known }
            out.append(
                StepSeries(
                    labels: resultMetric(many[series].labels, one[other].labels, b.op, m),
                    dropName: b.returnBool || !b.op.isComparison || many[series].dropName))
            if m.include.isEmpty { outputOfSeries[series] = out.count - 1 } else { outputOfPair[key] = out.count - 1 }
            return out.count - 1
        }
        var manyCursor = StepCursor(many)
        var oneCursor = StepCursor(one)
        // Per signature: the step its "one" side series was last seen at, that series and its
        // value, and the step it was last matched at.
        var seenAt = [Int](repeating: -1, count: count)
        var seenSeries = [Int](repeating: 0, count: count)
        var seenValue = [Double](repeating: 0, count: count)
        var matchedAt = [Int](repeating: -1, count: count)
        var manyPresent: [(series: Int, value: Double)] = []
        var onePresent: [(series: Int, value: Double)] = []
        for step in 0..<steps.count {
            if step & 1023 == 1023 { try checkLimits() }
            manyCursor.values(at: step, into: &manyPresent)
            oneCursor.values(at: step, into: &onePresent)
            if manyPresent.isEmpty || onePresent.isEmpty { continue }
            for (series, value) in onePresent {
                let id = oneIDs[series]
                if seenAt[id] == step {
                    let labels = one[series].labels
                    let matched = m.on ? labels.keeping(Set(m.matchingLabels)) : Evaluator.signature(labels, m)
                    throw QueryError.execution(
                        "found duplicate series for the match group \(matched.bracedDescription) on the \(oneToMany ? "left" : "right") hand-side of the operation: [\(labels.bracedDescription), \(one[seenSeries[id]].labels.bracedDescription)];many-to-many matching not allowed: matching labels must be unique on one side"
                    )
                }
                seenAt[id] = step
                seenSeries[id] = series
                seenValue[id] = value
            }
            for (series, value) in manyPresent {
                let id = manyIDs[series]
                guard seenAt[id] == step else { continue }
                let (l, r) = oneToMany ? (seenValue[id], value) : (value, seenValue[id])
                var (result, keep) = Evaluator.apply(b.op, l, r)
                if b.returnBool {
                    result = keep ? 1 : 0
                } else if !keep {
                    continue
                }
                if m.card == .oneToOne {
                    if matchedAt[id] == step {
                        throw QueryError.execution(
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                    matchedAt[id] = step
                }
                out[output(series, seenSeries[id])].append(step, result)
            }
        }
        if m.card != .oneToOne {
            // Two results of one signature with the same labels at one step.
            var bySignature: [Int: [Int]] = [:]
            var signatureOfOutput: [Int: Int] = [:]
            for (series, index) in outputOfSeries.enumerated() where index >= 0 { signatureOfOutput[index] = manyIDs[series] }
            for (key, index) in outputOfPair { signatureOfOutput[index] = manyIDs[key / one.count] }
            for (index, id) in signatureOfOutput { bySignature[id, default: []].append(index) }
            for indexes in bySignature.values where indexes.count > 1 {
                do {
                    try checkStepDuplicates(indexes.map { out[$0] })
                } catch {
                    throw QueryError.execution("multiple matches for labels: grouping labels must ensure unique matches")
                }
            }
        }
        return out.filter { !$0.steps.isEmpty }
    }

    /// `count_values` at every step: how many series of each group have each value (as the text
    /// `countValues` writes); each group and value is one result series.
    private func countValuesSteps(_ a: AggregateExpr, _ steps: StepTimes) throws -> [StepSeries] {
        guard let param = a.param else { throw QueryError.execution("count_values needs a label name") }
        let label = try evalString(param, at: steps.start)
        let input = try seriesSteps(a.expr, steps)
        try checkCountValuesLabel(a, label)
        let (groupOfSeries, keys) = groups(a, input)
        let site = SiteKey.of(SiteKey.grouping, flags: a.without ? 1 : 0, a.grouping)
        var out: [StepSeries] = []
        var outputOf: [CountValuesKey: Int] = [:]
        // Each series' last value and its text: a value that stays is not written again.
        var lastBits = [UInt64?](repeating: nil, count: input.count)
        var lastText = [String](repeating: "", count: input.count)
        var cursor = StepCursor(input)
        var present: [(series: Int, value: Double)] = []
        var counts: [Int: Double] = [:]
        var order: [Int] = []
        for step in 0..<steps.count {
            if step & 1023 == 1023 { try checkLimits() }
            cursor.values(at: step, into: &present)
            counts.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            for (series, value) in present {
                if lastBits[series] != value.bitPattern {
                    lastBits[series] = value.bitPattern
                    lastText[series] = Formatting.goFixed(value)
                }
                let key = CountValuesKey(site: site, group: groupOfSeries[series], value: lastText[series])
                let index: Int
                if let known = outputOf[key] {
                    index = known
                } else {
                    index = out.count
                    outputOf[key] = index
                    out.append(StepSeries(labels: keys[key.group].setting(label, to: key.value), dropName: false))
                }
                if counts[index] == nil { order.append(index) }
                counts[index, default: 0] += 1
            }
            for index in order { out[index].append(step, counts[index] ?? 0) }
        }
        return out
    }

    /// An aggregation `canEvalSteps` accepts, at every step.
    ///
    /// Steps are taken in blocks, each block series by series: every series adds its values of
    /// the block to its group's running state at each step, so values meet their groups in the
    /// order of the series, as at one step, while each series is read straight through.
    func aggregateSteps(_ a: AggregateExpr, _ steps: StepTimes) throws -> [StepSeries] {
        if a.op == .topk || a.op == .bottomk || a.op == .limitk { return try selectionSteps(a, steps) }
        if a.op == .countValues { return try countValuesSteps(a, steps) }
        let input = try seriesSteps(a.expr, steps)
        let (groupOfSeries, keys) = groups(a, input)
        var out = keys.map { StepSeries(labels: $0, dropName: false) }
        // The running state of each group at each step of a block: at most about 2^20 states.
        let blockSteps = max(1, min(steps.count, (1 << 20) / max(keys.count, 1)))
        var states = [AggregationGroup](
            repeating: Evaluator.startGroup(a, key: .empty, 0, false), count: keys.count * blockSteps)
        var started = [Bool](repeating: false, count: keys.count * blockSteps)
        var positions = [Int](repeating: 0, count: input.count)
        var blockStart = 0
        while blockStart < steps.count {
            try checkLimits()
            let blockEnd = min(blockStart + blockSteps, steps.count)
            for index in input.indices {
                let group = groupOfSeries[index]
                let base = group * blockSteps - blockStart
                let dropName = input[index].dropName
                var position = positions[index]
                input[index].steps.withUnsafeBufferPointer { seriesSteps in
                    input[index].values.withUnsafeBufferPointer { values in
                        while position < seriesSteps.count, Int(seriesSteps[position]) < blockEnd {
                            let slot = base + Int(seriesSteps[position])
                            if started[slot] {
                                accumulate(&states[slot], values[position], a.op)
                            } else {
                                started[slot] = true
                                states[slot] = Evaluator.startGroup(a, key: keys[group], values[position], dropName)
                            }
                            position += 1
                        }
                    }
                }
                positions[index] = position
            }
            for group in keys.indices {
                for step in blockStart..<blockEnd {
                    let slot = group * blockSteps + step - blockStart
                    guard started[slot] else { continue }
                    started[slot] = false
                    out[group].append(step, Evaluator.result(of: states[slot], a.op, 0))
                    if states[slot].dropName { out[group].dropName = true }
                }
            }
            blockStart = blockEnd
        }
        return out.filter { !$0.steps.isEmpty }
    }
}

/// Walks series step by step: at each step, which series have a value there and what it is.
/// The series' points are copied into flat arrays, so a step reads them without retaining.
struct StepCursor {
    private var steps: [Int32] = []
    private var values: [Double] = []
    /// Per series: its next point in `steps`/`values`, and the end of its points.
    private var positions: [Int] = []
    private var ends: [Int] = []

    init(_ series: [StepSeries]) {
        for item in series {
            positions.append(steps.count)
            steps += item.steps
            values += item.values
            ends.append(steps.count)
        }
    }

    /// Replaces `out` with the series (by index, in order) that have a value at `step`, which
    /// must be past the step of the previous call.
    mutating func values(at step: Int, into out: inout [(series: Int, value: Double)]) {
        out.removeAll(keepingCapacity: true)
        let target = Int32(truncatingIfNeeded: step)
        for index in positions.indices {
            let position = positions[index]
            guard position < ends[index], steps[position] == target else { continue }
            out.append((index, values[position]))
            positions[index] = position + 1
        }
    }
}
