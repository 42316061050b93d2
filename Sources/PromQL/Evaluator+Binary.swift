import Foundation
import Series

extension Evaluator {
    func evalBinary(_ b: BinaryExpr, at time: Int64) throws -> EvalValue {
        try combine(b, try eval(b.lhs, at: time), try eval(b.rhs, at: time))
    }

    /// Operator `b` applied to the values of its two sides at one step.
    func combine(_ b: BinaryExpr, _ lhs: EvalValue, _ rhs: EvalValue) throws -> EvalValue {
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            let (value, keep) = Evaluator.apply(b.op, l, r)
            return .scalar(b.returnBool ? (keep ? 1 : 0) : value)
        case (.vector(let l), .scalar(let r)):
            return .vector(vectorScalar(b, l, r, swapped: false))
        case (.scalar(let l), .vector(let r)):
            return .vector(vectorScalar(b, r, l, swapped: true))
        case (.vector(let l), .vector(let r)):
            let matching = b.matching ?? VectorMatching()
            let out: [Element]
            switch b.op {
            case .and: out = setAnd(l, r, matching)
            case .or: out = setOr(l, r, matching)
            case .unless: out = setUnless(l, r, matching)
            default: out = try vectorVector(b, l, r, matching)
            }
            try checkDuplicates(out, site: .of(SiteKey.binaryOutput, matching, op: b.op))
            return .vector(out)
        default:
            throw QueryError.execution(
                "binary expression must contain only scalar and instant vector types")
        }
    }

    /// Applies `op` to two floats; the flag says whether a comparison holds (always true otherwise).
    static func apply(_ op: BinaryOperator, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (Foundation.pow(l, r), true)
        case .mod: return (fmod(l, r), true)
        case .atan2: return (Foundation.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, false)
        }
    }

    private func vectorScalar(_ b: BinaryExpr, _ vector: [Element], _ scalar: Double, swapped: Bool)
        -> [Element]
    {
        var out: [Element] = []
        for element in vector {
            let (l, r) = swapped ? (scalar, element.value) : (element.value, scalar)
            var (value, keep) = Evaluator.apply(b.op, l, r)
            if b.op.isComparison && swapped { value = r }
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            out.append(
                Element(
                    labels: element.labels, value: value,
                    dropName: element.dropName || !b.op.isComparison || b.returnBool))
        }
        return out
    }

    /// The matching signature of a series: the `on` labels, or all but the `ignoring` labels and the name.
    static func signature(_ labels: Labels, _ matching: VectorMatching) -> Labels {
        if matching.on { return labels.keeping(Set(matching.matchingLabels)) }
        return labels.removing(Set(matching.matchingLabels + [Labels.metricName]))
    }

    // The set operators compare interned signatures (see `intern`) by the identity of their storage.
    private func setAnd(_ l: [Element], _ r: [Element], _ m: VectorMatching) -> [Element] {
        withMemo(.of(SiteKey.signature, flags: m.on ? 1 : 0, m.matchingLabels)) { memo in
            let right = Set(r.map { memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity })
            return l.filter { right.contains(memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity) }
        }
    }

    private func setOr(_ l: [Element], _ r: [Element], _ m: VectorMatching) -> [Element] {
        withMemo(.of(SiteKey.signature, flags: m.on ? 1 : 0, m.matchingLabels)) { memo in
            let left = Set(l.map { memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity })
            return l + r.filter { !left.contains(memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity) }
        }
    }

    private func setUnless(_ l: [Element], _ r: [Element], _ m: VectorMatching) -> [Element] {
        withMemo(.of(SiteKey.signature, flags: m.on ? 1 : 0, m.matchingLabels)) { memo in
            let right = Set(r.map { memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity })
            return l.filter { !right.contains(memo.value(for: $0.labels) { intern(Evaluator.signature($0, m)) }.storageIdentity) }
        }
    }

    private func vectorVector(
        _ b: BinaryExpr, _ lhsIn: [Element], _ rhsIn: [Element], _ m: VectorMatching
    ) throws
        -> [Element]
    {
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        let oneToMany = m.card == .oneToMany
        let (lhs, rhs) = oneToMany ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        // Signatures are interned, so equal signatures share storage and are keyed by identity.
        var rightBySignature: [Int: Element] = [:]
        let site = SiteKey.of(SiteKey.signature, flags: m.on ? 1 : 0, m.matchingLabels)
        var memo = memos.removeValue(forKey: site) ?? LabelsMemo()
        defer { memos[site] = memo }
        let resultSite = SiteKey.of(SiteKey.result, m)
        var resultMemo = memos.removeValue(forKey: resultSite) ?? LabelsMemo()
        defer { memos[resultSite] = resultMemo }
        for (position, element) in rhs.enumerated() {
            let sig = memo.value(for: element.labels, at: position) { intern(Evaluator.signature($0, m)) }
            let key = sig.storageIdentity
            if let duplicate = rightBySignature[key] {
                let side = oneToMany ? "left" : "right"
                let matched = m.on ? element.labels.keeping(Set(m.matchingLabels)) : sig
                throw QueryError.execution(
                    "found duplicate series for the match group \(matched.bracedDescription) on the \(side) hand-side of the operation: [\(element.labels.bracedDescription), \(duplicate.labels.bracedDescription)];many-to-many matching not allowed: matching labels must be unique on one side"
                )
            }
            rightBySignature[key] = element
        }
        var matchedOneToOne = Set<Int>()
        var matchedMany: [Int: Set<Labels>] = [:]
        var out: [Element] = []
        let lhsSite = SiteKey.of(SiteKey.lhsSignature, flags: m.on ? 1 : 0, m.matchingLabels)
        var lhsMemo = memos.removeValue(forKey: lhsSite) ?? LabelsMemo()
        defer { memos[lhsSite] = lhsMemo }
        for (position, element) in lhs.enumerated() {
            let sig = lhsMemo.value(for: element.labels, at: position) { intern(Evaluator.signature($0, m)) }
            let key = sig.storageIdentity
            guard let other = rightBySignature[key] else { continue }
            let (fl, fr) = oneToMany ? (other.value, element.value) : (element.value, other.value)
            var (value, keep) = Evaluator.apply(b.op, fl, fr)
            if b.returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            let metric =
                m.include.isEmpty
                ? resultMemo.value(for: element.labels, at: position) { resultMetric($0, other.labels, b.op, m) }
                : resultMetric(element.labels, other.labels, b.op, m)
            if m.card == .oneToOne {
                if !matchedOneToOne.insert(key).inserted {
                    throw QueryError.execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                    )
                }
            } else {
                var inserted = matchedMany[key] ?? []
                if !inserted.insert(metric).inserted {
                    throw QueryError.execution(
                        "multiple matches for labels: grouping labels must ensure unique matches")
                }
                matchedMany[key] = inserted
            }
            let dropName = b.returnBool || !b.op.isComparison || element.dropName
            out.append(Element(labels: metric, value: value, dropName: dropName))
        }
        return out
    }

    func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOperator, _ m: VectorMatching)
        -> Labels
    {
        var labels = lhs
        if m.card == .oneToOne {
            labels = m.on ? labels.keeping(Set(m.matchingLabels)) : labels.removing(Set(m.matchingLabels))
        }
        for name in m.include {
            labels = labels.setting(name, to: rhs[name])
        }
        return labels
    }
}
