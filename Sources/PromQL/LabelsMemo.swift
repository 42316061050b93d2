import Series

/// Remembers the result of a function of label sets (a grouping key, a matching signature, a
/// relabelling) across evaluation steps, keyed by the identity of the labels' storage.
///
/// The series a step sees are usually the very label sets loaded from storage, the same
/// storage at every step, so a lookup is one pointer hash and one identity check instead of
/// recomputing labels and hashing every name and value. Entries are checked against the labels
/// they were computed from, so a reused address never returns a stale result. The memo forgets
/// everything once it holds `capacity` entries (a function whose inputs change at every step).
struct LabelsMemo {
    private var entries: [Int: (input: Labels, output: Labels)] = [:]
    private let capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
    }

    /// `compute(labels)`, remembered.
    mutating func value(for labels: Labels, _ compute: (Labels) -> Labels) -> Labels {
        let key = labels.storageIdentity
        if let entry = entries[key], entry.input == labels { return entry.output }
        let output = compute(labels)
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (labels, output)
        return output
    }
}

extension Labels {
    /// The address of the pairs' storage: equal for copies of one label set.
    var storageIdentity: Int {
        pairs.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    }
}

extension Evaluator {
    /// Runs `body` with the memo registered under `site`, keeping it for later steps.
    func withMemo<T>(_ site: String, _ body: (inout LabelsMemo) throws -> T) rethrows -> T {
        var memo = memos.removeValue(forKey: site) ?? LabelsMemo()
        defer { memos[site] = memo }
        return try body(&memo)
    }
}

/// Numbers the groups of an aggregation once for the whole query: each input series is mapped
/// (through the identity of its labels' storage, as in `LabelsMemo`) to a stable group id, so a
/// step adds a series to its group without computing or hashing the grouping key again.
struct GroupTable {
    private var byIdentity: [Int: (input: Labels, id: Int)] = [:]
    private var idsByKey: [Labels: Int] = [:]
    /// The grouping key of each id.
    private(set) var keys: [Labels] = []

    /// The group id of `labels`, whose key `compute` gives.
    mutating func id(for labels: Labels, _ compute: (Labels) -> Labels) -> Int {
        let identity = labels.storageIdentity
        if let entry = byIdentity[identity], entry.input == labels { return entry.id }
        let key = compute(labels)
        let id: Int
        if let known = idsByKey[key] {
            id = known
        } else {
            id = keys.count
            keys.append(key)
            idsByKey[key] = id
        }
        if byIdentity.count >= 1 << 16 { byIdentity.removeAll(keepingCapacity: true) }
        byIdentity[identity] = (labels, id)
        return id
    }
}
