import Foundation
import Series

/// One output series of `count_values` at one aggregation site: the group and the value's text.
struct CountValuesKey: Hashable {
    var site: SiteKey
    var group: Int
    var value: String
}

/// Running state of one aggregation group.
struct AggregationGroup {
    var labels: Labels
    var dropName: Bool
    var count: Double = 1
    var value: Double
    var kahan: Double = 0
    var mean: Double
    var incrementalMean = false
    var values: [Double] = []
    var elements: [Element] = []
}

extension Evaluator {
    func evalAggregate(_ a: AggregateExpr, at time: Int64) throws -> [Element] {
        var scalarParam = 0.0
        var stringParam = ""
        if let param = a.param {
            if a.op == .countValues {
                stringParam = try evalString(param, at: time)
            } else {
                scalarParam = try evalScalar(param, at: time)
            }
        }
        return try aggregate(a, try evalVector(a.expr, at: time), scalarParam: scalarParam, stringParam: stringParam)
    }

    /// Aggregation `a` of one step's `input`, with its parameter's value at that step.
    func aggregate(_ a: AggregateExpr, _ input: [Element], scalarParam: Double, stringParam: String) throws
        -> [Element]
    {
        switch a.op {
        case .topk, .bottomk, .limitk, .limitRatio:
            return try selectK(a, input, scalarParam)
        case .countValues:
            return try countValues(a, input, label: stringParam)
        case .quantile:
            warnIfInvalid(quantile: scalarParam)
        default:
            break
        }
        var groups: [AggregationGroup] = []
        let site = SiteKey.of(SiteKey.grouping, flags: a.without ? 1 : 0, a.grouping)
        var table = groupTables.removeValue(forKey: site) ?? GroupTable()
        defer { groupTables[site] = table }
        // The position in `groups` of each group id met at this step, -1 while not met.
        var positions = [Int](repeating: -1, count: table.keys.count)
        for index in input.indices {
            let id = table.id(for: input[index].labels, at: index) {
                a.without ? $0.removing(Set(a.grouping + [Labels.metricName])) : $0.keeping(Set(a.grouping))
            }
            if id >= positions.count { positions += repeatElement(-1, count: id - positions.count + 1) }
            if positions[id] >= 0 {
                accumulate(&groups[positions[id]], input[index].value, a.op)
            } else {
                positions[id] = groups.count
                groups.append(Evaluator.startGroup(a, key: table.keys[id], input[index].value, input[index].dropName))
            }
        }
        return groups.map { group in
            Element(labels: group.labels, value: Evaluator.result(of: group, a.op, scalarParam), dropName: group.dropName)
        }
    }

    /// A new group of aggregation `a` with grouping key `key`, holding its first input value.
    static func startGroup(_ a: AggregateExpr, key: Labels, _ value: Double, _ dropName: Bool) -> AggregationGroup {
        let keepsName = !a.without && a.grouping.contains(Labels.metricName)
        var group = AggregationGroup(labels: key, dropName: keepsName && dropName, value: value, mean: value)
        switch a.op {
        case .count, .group: group.value = 1
        case .stddev, .stdvar: group.value = value.isFinite ? 0 : .nan
        case .quantile: group.values = [value]
        default: break
        }
        return group
    }

    /// The value of a group once every input value has been accumulated.
    static func result(of group: AggregationGroup, _ op: AggregateOp, _ param: Double) -> Double {
        switch op {
        case .avg:
            return group.incrementalMean ? group.mean + group.kahan : (group.value + group.kahan) / group.count
        case .sum: return group.value + group.kahan
        case .stdvar: return group.value / group.count
        case .stddev: return (group.value / group.count).squareRoot()
        case .quantile: return Evaluator.quantile(param, group.values)
        default: return group.value
        }
    }

    func groupingKey(_ labels: Labels, _ a: AggregateExpr) -> Labels {
        if a.without {
            return labels.removing(Set(a.grouping + [Labels.metricName]))
        }
        return labels.keeping(Set(a.grouping))
    }

    func accumulate(_ g: inout AggregationGroup, _ v: Double, _ op: AggregateOp) {
        switch op {
        case .sum:
            (g.value, g.kahan) = Evaluator.kahanSumInc(v, g.value, g.kahan)
        case .avg:
            g.count += 1
            if !g.incrementalMean {
                let (sum, c) = Evaluator.kahanSumInc(v, g.value, g.kahan)
                if !sum.isInfinite {
                    (g.value, g.kahan) = (sum, c)
                    return
                }
                g.incrementalMean = true
                g.mean = g.value / (g.count - 1)
                g.kahan /= g.count - 1
            }
            if g.mean.isInfinite {
                if v.isInfinite && (g.mean > 0) == (v > 0) { return }
                if !v.isInfinite && !v.isNaN { return }
            }
            let current = g.mean + g.kahan
            (g.mean, g.kahan) = Evaluator.kahanSumInc(v / g.count - current / g.count, g.mean, g.kahan)
        case .count:
            g.value += 1
        case .min:
            if g.value > v || g.value.isNaN { g.value = v }
        case .max:
            if g.value < v || g.value.isNaN { g.value = v }
        case .stddev, .stdvar:
            g.count += 1
            let delta = v - g.mean
            g.mean += delta / g.count
            g.value += delta * (v - g.mean)
        case .quantile:
            g.values.append(v)
        case .group, .topk, .bottomk, .countValues, .limitk, .limitRatio:
            break
        }
    }

    private func selectK(_ a: AggregateExpr, _ input: [Element], _ param: Double) throws -> [Element] {
        if a.op == .limitRatio {
            guard !param.isNaN else { throw QueryError.execution("Ratio value is NaN") }
            if param < -1 || param > 1 {
                warn(
                    "ratio value should be between -1 and 1, got \(Formatting.goDefault(param)), capping to \(param < 0 ? -1 : 1)"
                )
            }
        } else {
            guard !param.isNaN else { throw QueryError.execution("Parameter value is NaN") }
        }
        let groups = groupMembers(a, input)
        let k = Evaluator.selectionSize(param)
        var out: [Element] = []
        for members in groups {
            switch a.op {
            case .topk:
                out += Evaluator.first(k, of: members, topk: true) { $0.value }
            case .bottomk:
                out += Evaluator.first(k, of: members, topk: false) { $0.value }
            case .limitk:
                out += members.prefix(k)
            default:
                let ratio = max(-1, min(1, param))
                out += members.filter { element in
                    let fraction = Evaluator.ratioFraction(element.labels)
                    return ratio >= 0 ? fraction < ratio : fraction >= 1 + ratio
                }
            }
        }
        return out
    }

    /// The `k` of `topk`, `bottomk` and `limitk` given as `param`.
    static func selectionSize(_ param: Double) -> Int {
        param >= Double(Int.max) ? Int.max : (param < 1 ? 0 : Int(param))
    }

    /// The elements of `input` by group of aggregation `a`, groups in the order they first
    /// appear; the grouping key of a series is worked out once per query (see `GroupTable`).
    private func groupMembers(_ a: AggregateExpr, _ input: [Element]) -> [[Element]] {
        let site = SiteKey.of(SiteKey.grouping, flags: a.without ? 1 : 0, a.grouping)
        var table = groupTables.removeValue(forKey: site) ?? GroupTable()
        defer { groupTables[site] = table }
        var positions: [Int] = []
        var groups: [[Element]] = []
        for (index, element) in input.enumerated() {
            let id = table.id(for: element.labels, at: index) { groupingKey($0, a) }
            if id >= positions.count { positions += repeatElement(-1, count: id - positions.count + 1) }
            if positions[id] < 0 {
                positions[id] = groups.count
                groups.append([element])
            } else {
                groups[positions[id]].append(element)
            }
        }
        return groups
    }

    /// The first `k` members by value, largest first for `topk` (else smallest first), NaN
    /// last and ties in their order in `members`; the rest is not sorted.
    static func first<Member>(_ k: Int, of members: [Member], topk: Bool, value: (Member) -> Double) -> [Member] {
        func before(_ a: (offset: Int, element: Member), _ b: (offset: Int, element: Member)) -> Bool {
            let (x, y) = (value(a.element), value(b.element))
            if x.isNaN != y.isNaN { return !x.isNaN }
            if x != y && !x.isNaN { return topk ? x > y : x < y }
            return a.offset < b.offset
        }
        if k >= members.count { return members.enumerated().sorted(by: before).map(\.element) }
        var kept: [(offset: Int, element: Member)] = []
        kept.reserveCapacity(k + 1)
        for candidate in members.enumerated() {
            if kept.count == k {
                guard k > 0, before(candidate, kept[k - 1]) else { continue }
                kept.removeLast()
            }
            kept.insert(candidate, at: kept.firstIndex { before(candidate, $0) } ?? kept.count)
        }
        return kept.map(\.element)
    }

    /// A stable pseudo-random fraction in [0, 1) derived from the labels (FNV-1a), for `limit_ratio`.
    static func ratioFraction(_ labels: Labels) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for pair in labels {
            for byte in pair.name.utf8 + [0xff] + pair.value.utf8 + [0xff] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return Double(hash) / Double(UInt64.max)
    }

    /// Fails, as Prometheus does, when `count_values` is given a label name that is not one.
    func checkCountValuesLabel(_ a: AggregateExpr, _ label: String) throws {
        guard Labels.isValidLabelName(label) else {
            var spelled = Labels.quote(label)
            if case .string(_, let raw)? = a.param, raw.hasPrefix("\"") { spelled = raw }
            throw QueryError.execution("invalid label name \(spelled)")
        }
    }

    private func countValues(_ a: AggregateExpr, _ input: [Element], label: String) throws
        -> [Element]
    {
        try checkCountValuesLabel(a, label)
        let site = SiteKey.of(SiteKey.grouping, flags: a.without ? 1 : 0, a.grouping)
        var table = groupTables.removeValue(forKey: site) ?? GroupTable()
        defer { groupTables[site] = table }
        // The output labels of each group and value, kept across steps so that a value seen
        // again is one lookup of a small key, not labels built and hashed anew.
        var outputs = countValuesLabels.removeValue(forKey: label) ?? [:]
        defer { countValuesLabels[label] = outputs }
        var order: [CountValuesKey] = []
        var counts: [CountValuesKey: Double] = [:]
        for (index, element) in input.enumerated() {
            let id = table.id(for: element.labels, at: index) { groupingKey($0, a) }
            let key = CountValuesKey(site: site, group: id, value: Formatting.goFixed(element.value))
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        return order.map { key in
            let labels = outputs[key] ?? table.keys[key.group].setting(label, to: key.value)
            if outputs.count < 1 << 16 { outputs[key] = labels }
            return Element(labels: labels, value: counts[key] ?? 0)
        }
    }

    /// Kahan-Neumaier compensated addition of `inc` to `sum` with compensation `c`.
    static func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if t.isInfinite {
            c = 0
        } else if abs(sum) >= abs(inc) {
            c += (sum - t) + inc
        } else {
            c += (inc - t) + sum
        }
        return (t, c)
    }

    /// The φ-quantile of `values` by linear interpolation between closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { a, b in a.isNaN && !b.isNaN ? true : a < b }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = max(0, rank.rounded(.down))
        let upper = min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }
}
