import Series
import Testing

@testable import TSDB

/// Set operations on sorted postings lists.
struct PostingsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let a: [SeriesRef]
        let b: [SeriesRef]
        let intersection: [SeriesRef]
        let union: [SeriesRef]
        let difference: [SeriesRef]
        var testDescription: String { "\(a) and \(b)" }
    }

    static let cases: [Case] = [
        Case(a: [], b: [], intersection: [], union: [], difference: []),
        Case(a: [1, 2, 3], b: [], intersection: [], union: [1, 2, 3], difference: [1, 2, 3]),
        Case(a: [], b: [4], intersection: [], union: [4], difference: []),
        Case(
            a: [1, 3, 5, 7], b: [2, 3, 4, 7, 9], intersection: [3, 7], union: [1, 2, 3, 4, 5, 7, 9], difference: [1, 5]),
        Case(a: [5, 6], b: [1, 2], intersection: [], union: [1, 2, 5, 6], difference: [5, 6]),
        Case(a: [1, 2], b: [1, 2], intersection: [1, 2], union: [1, 2], difference: []),
    ]

    @Test(arguments: cases)
    func setOperations(_ testCase: Case) {
        #expect(Postings.intersect([testCase.a, testCase.b]) == testCase.intersection)
        #expect(Postings.union([testCase.a, testCase.b]) == testCase.union)
        #expect(Postings.subtract(testCase.a, testCase.b) == testCase.difference)
    }

    @Test func indexKeepsListsSortedAndDropsEmptyOnes() {
        var index = MemPostings()
        index.add(5, labels: Labels(["job": "a"]))
        index.add(2, labels: Labels(["job": "a", "env": "prod"]))
        index.add(9, labels: Labels(["job": "b"]))
        #expect(index.all == [2, 5, 9])
        #expect(index.postings(name: "job", value: "a") == [2, 5])
        index.remove([(2, Labels(["job": "a", "env": "prod"]))])
        #expect(index.all == [5, 9])
        #expect(index.labelNames == ["job"])
        #expect(index.postings(name: "job", value: "a") == [5])
    }
}
