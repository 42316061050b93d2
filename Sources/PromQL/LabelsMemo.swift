import Series

/// Remembers the result of a function of label sets (a grouping key, a matching signature, a
/// relabelling) across evaluation steps, keyed by the identity of the labels' storage.
///
/// The series a step sees are usually the very label sets loaded from storage, the same
/// storage at every step, so a lookup is one pointer hash and one identity check instead of
/// recomputing labels and hashing every name and value. Each entry keeps its input alive, so an
/// address found in the memo is that very storage, never a reused one. The memo forgets
/// everything once it holds `capacity` entries (a function whose inputs change at every step).
struct LabelsMemo {
    /// Storage identity → position in `inputs`/`outputs`. `inputs` keeps each storage alive, so
    /// an identity found here is that very storage: no comparison needed.
    private var positions: [Int: Int] = [:]
    private var inputs: [Labels] = []
    private var outputs: [Labels] = []
    private let capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
    }

    /// What each position of the previous call's input found: inputs come in the same order
    /// step after step, and comparing two integers is cheaper than hashing one.
    private var lastIdentity: [Int] = []
    private var lastPosition: [Int] = []

    /// `compute(labels)`, remembered; `position` is the labels' place in their vector, a hint.
    mutating func value(for labels: Labels, at position: Int = -1, _ compute: (Labels) -> Labels) -> Labels {
        let key = labels.storageIdentity
        if position >= 0, position < lastIdentity.count, lastIdentity[position] == key {
            return outputs[lastPosition[position]]
        }
        if let found = positions[key] {
            remember(position, key, found)
            return outputs[found]
        }
        let output = compute(labels)
        if inputs.count >= capacity {
            positions.removeAll(keepingCapacity: true)
            inputs.removeAll(keepingCapacity: true)
            outputs.removeAll(keepingCapacity: true)
            lastIdentity.removeAll(keepingCapacity: true)
            lastPosition.removeAll(keepingCapacity: true)
        }
        positions[key] = inputs.count
        remember(position, key, inputs.count)
        inputs.append(labels)
        outputs.append(output)
        return output
    }

    private mutating func remember(_ position: Int, _ identity: Int, _ found: Int) {
        guard position >= 0, position < 1 << 20 else { return }
        if position >= lastIdentity.count {
            lastIdentity += repeatElement(0, count: position - lastIdentity.count + 1)
            lastPosition += repeatElement(0, count: position - lastPosition.count + 1)
        }
        lastIdentity[position] = identity
        lastPosition[position] = found
    }
}

extension Labels {
    /// The address of the pairs' storage: equal for copies of one label set.
    var storageIdentity: Int {
        pairs.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    }
}

/// Where in a query a memo or table belongs, found at every step without building text: what
/// kind of computation, its flags, and the identity of the AST array that parameterises it
/// (matching or grouping labels, which the query's AST keeps alive and unchanged). Two sites
/// with equal keys compute the same function of labels, so sharing their memo is correct.
struct SiteKey: Hashable {
    /// The computation, one of the constants below.
    var kind: UInt8
    /// Flags of the computation (on/ignoring, cardinality, without).
    var flags: Int
    /// The identity of the parameterising array's storage.
    var identity: Int
    /// Parameters given as text (label functions' arguments).
    var text: [String] = []

    static let signature: UInt8 = 1
    static let lhsSignature: UInt8 = 2
    static let result: UInt8 = 3
    static let binaryOutput: UInt8 = 4
    static let grouping: UInt8 = 5
    static let labelReplace: UInt8 = 6
    static let labelJoin: UInt8 = 7

    /// The key of `kind` parameterised by `array` and `flags`.
    static func of(_ kind: UInt8, flags: Int, _ array: [String]) -> SiteKey {
        SiteKey(kind: kind, flags: flags, identity: array.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) })
    }

    /// The key of matching `m` for `kind`.
    static func of(_ kind: UInt8, _ m: VectorMatching, op: BinaryOperator? = nil) -> SiteKey {
        let card: Int
        switch m.card {
        case .oneToOne: card = 0
        case .manyToOne: card = 1
        case .oneToMany: card = 2
        case .manyToMany: card = 3
        }
        let opIndex = op.flatMap { BinaryOperator.allCases.firstIndex(of: $0) } ?? -1
        return of(kind, flags: (m.on ? 1 : 0) | card << 1 | (opIndex + 1) << 4, m.matchingLabels)
    }
}

extension Evaluator {
    /// Runs `body` with the memo registered under `site`, keeping it for later steps.
    func withMemo<T>(_ site: SiteKey, _ body: (inout LabelsMemo) throws -> T) rethrows -> T {
        var memo = memos.removeValue(forKey: site) ?? LabelsMemo()
        defer { memos[site] = memo }
        return try body(&memo)
    }
}

/// Numbers the groups of an aggregation once for the whole query: each input series is mapped
/// (through the identity of its labels' storage, as in `LabelsMemo`) to a stable group id, so a
/// step adds a series to its group without computing or hashing the grouping key again.
struct GroupTable {
    /// Storage identity → group id; `inputs` keeps each storage alive (see `LabelsMemo`).
    private var byIdentity: [Int: Int] = [:]
    private var inputs: [Labels] = []
    private var idsByKey: [Labels: Int] = [:]
    /// The grouping key of each id.
    private(set) var keys: [Labels] = []

    /// What each input position found at the previous step (see `LabelsMemo`).
    private var lastIdentity: [Int] = []
    private var lastId: [Int] = []

    /// The group id of `labels`, whose key `compute` gives; `position` is the labels' place in
    /// their vector, a hint.
    mutating func id(for labels: Labels, at position: Int, _ compute: (Labels) -> Labels) -> Int {
        let identity = labels.storageIdentity
        if position < lastIdentity.count, lastIdentity[position] == identity { return lastId[position] }
        let id = lookup(labels, identity, compute)
        if position >= lastIdentity.count {
            lastIdentity += repeatElement(0, count: position - lastIdentity.count + 1)
            lastId += repeatElement(0, count: position - lastId.count + 1)
        }
        lastIdentity[position] = identity
        lastId[position] = id
        return id
    }

    private mutating func lookup(_ labels: Labels, _ identity: Int, _ compute: (Labels) -> Labels) -> Int {
        if let id = byIdentity[identity] { return id }
        let key = compute(labels)
        let id: Int
        if let known = idsByKey[key] {
            id = known
        } else {
            id = keys.count
            keys.append(key)
            idsByKey[key] = id
        }
        if inputs.count >= 1 << 16 {
            byIdentity.removeAll(keepingCapacity: true)
            inputs.removeAll(keepingCapacity: true)
            lastIdentity.removeAll(keepingCapacity: true)
            lastId.removeAll(keepingCapacity: true)
        }
        byIdentity[identity] = id
        inputs.append(labels)
        return id
    }
}

/// `GroupTable` for classic histogram buckets: each `_bucket` series' group (its labels without
/// `le`) and its parsed upper bound, worked out once per query.
struct BucketTable {
    private var groups = GroupTable()
    /// Storage identity → parsed `le` (nil when missing or malformed); the group table keeps
    /// each storage alive.
    private var bounds: [Int: Double?] = [:]

    /// The grouping key of each id.
    var keys: [Labels] { groups.keys }

    /// The group id and upper bound of the bucket series `labels` at `position` of its vector.
    mutating func bucket(for labels: Labels, at position: Int) -> (id: Int, bound: Double?) {
        let id = groups.id(for: labels, at: position) { $0.removing([Labels.bucketLabel]) }
        let identity = labels.storageIdentity
        if let bound = bounds[identity] { return (id, bound) }
        let bound = Lexer.parseNumber(labels[Labels.bucketLabel])
        if bounds.count >= 1 << 16 { bounds.removeAll(keepingCapacity: true) }
        bounds[identity] = bound
        return (id, bound)
    }
}
