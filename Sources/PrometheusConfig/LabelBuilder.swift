import Series

/// A label set being changed by relabeling rules: Prometheus's `labels.Builder`, with its
/// semantics kept exactly (reads see earlier changes; `forEach` walks a snapshot, base labels in
/// name order, then added ones in the order they were added).
public struct LabelBuilder: Sendable {
    private var base: [Label]
    private var added: [Label] = []
    private var deleted: [String] = []

    /// A builder starting from `labels`.
    public init(_ labels: Labels) {
        base = labels.pairs
    }

    /// The value of `name`, or the empty string when absent.
    public func get(_ name: String) -> String {
        if let label = added.first(where: { $0.name == name }) { return label.value }
        if deleted.contains(name) { return "" }
        return base.first(where: { $0.name == name })?.value ?? ""
    }

    /// Sets `name` to `value`; an empty value deletes the label.
    public mutating func set(_ name: String, _ value: String) {
        if value.isEmpty {
            delete(name)
            return
        }
        if let index = added.firstIndex(where: { $0.name == name }) {
            added[index].value = value
        } else {
            added.append(Label(name: name, value: value))
        }
        deleted.removeAll { $0 == name }
    }

    /// Removes `name`.
    public mutating func delete(_ name: String) {
        added.removeAll { $0.name == name }
        if !deleted.contains(name) { deleted.append(name) }
    }

    /// Calls `body` for each label as the builder holds it now; changes made by `body` do not
    /// change what is visited.
    public func forEach(_ body: (Label) -> Void) {
        let added = self.added
        let deleted = self.deleted
        for label in base where !deleted.contains(label.name) && !added.contains(where: { $0.name == label.name }) {
            body(label)
        }
        for label in added { body(label) }
    }

    /// The resulting label set, sorted by name.
    public var labels: Labels {
        if added.isEmpty && deleted.isEmpty { return Labels(sortedPairs: base) }
        var pairs = base.filter { label in
            !deleted.contains(label.name) && !added.contains(where: { $0.name == label.name })
        }
        pairs.append(contentsOf: added)
        pairs.sort { $0.name < $1.name }
        return Labels(sortedPairs: pairs)
    }
}
