import Series

/// The head's inverted index: for each label pair, the sorted refs of the series that carry it.
///
/// A matcher therefore touches only the postings lists of its label name, never every series.
struct MemPostings: Sendable {
    private var byName: [String: [String: [SeriesRef]]] = [:]
    /// Every series ref, sorted.
    private(set) var all: [SeriesRef] = []

    /// Indexes a series. Refs usually arrive in increasing order, which appends in O(1).
    mutating func add(_ ref: SeriesRef, labels: Labels) {
        MemPostings.insert(ref, into: &all)
        for label in labels {
            MemPostings.insert(ref, into: &byName[label.name, default: [:]][label.value, default: []])
        }
    }

    /// Removes series from the index.
    mutating func remove(_ removed: [(ref: SeriesRef, labels: Labels)]) {
        guard !removed.isEmpty else { return }
        let refs = Set(removed.map(\.ref))
        all.removeAll { refs.contains($0) }
        for (ref, labels) in removed {
            for label in labels {
                guard var list = byName[label.name]?[label.value] else { continue }
                let index = MemPostings.lowerBound(ref, in: list)
                if index < list.count && list[index] == ref { list.remove(at: index) }
                byName[label.name]?[label.value] = list.isEmpty ? nil : list
                if byName[label.name]?.isEmpty == true { byName[label.name] = nil }
            }
        }
    }

    /// The refs of series with label `name` equal to `value`.
    func postings(name: String, value: String) -> [SeriesRef] {
        byName[name]?[value] ?? []
    }

    /// Every value label `name` takes, each with its postings list.
    func values(of name: String) -> [String: [SeriesRef]] {
        byName[name] ?? [:]
    }

    /// Every label name in use, sorted.
    var labelNames: [String] { byName.keys.sorted() }

    private static func insert(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last >= ref {
            let index = lowerBound(ref, in: list)
            if index < list.count && list[index] == ref { return }
            list.insert(ref, at: index)
        } else {
            list.append(ref)
        }
    }

    /// The first index whose element is not less than `ref`.
    static func lowerBound(_ ref: SeriesRef, in list: [SeriesRef]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < ref { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// Set operations on sorted postings lists.
enum Postings {
    /// The refs present in every list.
    static func intersect(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        guard var result = lists.min(by: { $0.count < $1.count }) else { return [] }
        for list in lists where !result.isEmpty {
            result = intersect(result, list)
        }
        return result
    }

    /// The refs present in both sorted lists.
    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var result: [SeriesRef] = []
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] {
                i += 1
            } else if a[i] > b[j] {
                j += 1
            } else {
                result.append(a[i])
                i += 1
                j += 1
            }
        }
        return result
    }

    /// The refs present in any list, sorted and unique.
    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        if lists.count <= 1 { return lists.first ?? [] }
        var merged = lists.flatMap { $0 }
        merged.sort()
        var result: [SeriesRef] = []
        result.reserveCapacity(merged.count)
        for ref in merged where result.last != ref { result.append(ref) }
        return result
    }

    /// The refs of `a` that are not in `b`.
    static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var result: [SeriesRef] = []
        var j = 0
        for ref in a {
            while j < b.count && b[j] < ref { j += 1 }
            if j < b.count && b[j] == ref { continue }
            result.append(ref)
        }
        return result
    }

    /// The series whose labels satisfy every matcher, as Prometheus's `PostingsForMatchers` finds them.
    ///
    /// Equality matchers select their postings first. When they leave fewer series than another
    /// matcher's label has values, that matcher is checked against those series' own labels
    /// (`labels`) instead of against every value. Otherwise a matcher that rejects the empty
    /// string selects the union of the postings of the values it accepts, and one that accepts
    /// the empty string also selects series lacking the label, so it is applied by subtracting
    /// the postings of the values it rejects. With no selecting matcher the start is every series.
    static func forMatchers(
        _ matchers: [LabelMatcher], in index: MemPostings, labels: (SeriesRef) -> Labels?
    ) -> [SeriesRef] {
        var selecting: [[SeriesRef]] = []
        var others: [LabelMatcher] = []
        for matcher in matchers {
            if matcher.type == .equal && !matcher.matchesEmpty {
                selecting.append(index.postings(name: matcher.name, value: matcher.value))
            } else {
                others.append(matcher)
            }
        }
        var candidates: [SeriesRef]? = selecting.isEmpty ? nil : intersect(selecting)
        var excluding: [[SeriesRef]] = []
        selecting.removeAll()
        for matcher in others {
            let values = index.values(of: matcher.name)
            if let known = candidates, known.count < values.count {
                candidates = known.filter { ref in labels(ref).map { matcher.matches($0[matcher.name]) } ?? false }
            } else if matcher.matchesEmpty {
                let rejected = values.filter { !matcher.matches($0.key) }
                excluding.append(union(Array(rejected.values)))
            } else {
                let accepted = values.filter { matcher.matches($0.key) }
                selecting.append(union(Array(accepted.values)))
            }
        }
        if let candidates { selecting.append(candidates) }
        var result = selecting.isEmpty ? index.all : intersect(selecting)
        for list in excluding where !result.isEmpty {
            result = subtract(result, list)
        }
        return result
    }
}
