import Series
import Testing

@testable import TSDB

/// Appends by Prometheus's rules and selection through postings.
struct HeadTests {
    static func labels(_ pairs: [String: String]) -> Labels { Labels(pairs) }

    struct AppendCase: CustomTestStringConvertible, Sendable {
        let name: String
        let first: (Int64, Double)
        let second: (Int64, Double)
        let expected: AppendOutcome
        var testDescription: String { name }
    }

    static let appendCases: [AppendCase] = [
        AppendCase(name: "newer sample", first: (1000, 1), second: (2000, 1), expected: .appended),
        AppendCase(name: "older sample", first: (2000, 1), second: (1000, 1), expected: .rejected(.outOfOrderSample)),
        AppendCase(
            name: "same timestamp, other value", first: (1000, 1), second: (1000, 2),
            expected: .rejected(.duplicateSampleForTimestamp)),
        AppendCase(
            name: "same timestamp, same value", first: (1000, 1), second: (1000, 1), expected: .ignoredDuplicate),
        AppendCase(
            name: "stale marker after NaN at same timestamp", first: (1000, .nan), second: (1000, Sample.staleNaN),
            expected: .rejected(.duplicateSampleForTimestamp)),
        AppendCase(
            name: "stale marker repeated", first: (1000, Sample.staleNaN), second: (1000, Sample.staleNaN),
            expected: .ignoredDuplicate),
        AppendCase(name: "stale marker later", first: (1000, 5), second: (2000, Sample.staleNaN), expected: .appended),
    ]

    @Test(arguments: appendCases)
    func appendRules(_ testCase: AppendCase) {
        var head = Head()
        var created: SeriesRef?
        let l = Self.labels(["__name__": "up", "job": "a"])
        #expect(
            head.append(labels: l, timestamp: testCase.first.0, value: testCase.first.1, created: &created).outcome
                == .appended)
        #expect(created != nil)
        let result = head.append(labels: l, timestamp: testCase.second.0, value: testCase.second.1, created: &created)
        #expect(result.outcome == testCase.expected)
        #expect(created == nil)
        #expect(head.sampleCount == (testCase.expected == .appended ? 2 : 1))
    }

    @Test func emptyLabelsAndOutOfBoundsAreRejected() {
        var head = Head()
        var created: SeriesRef?
        #expect(
            head.append(labels: .empty, timestamp: 1, value: 1, created: &created).outcome == .rejected(.emptyLabelSet))
        _ = head.append(labels: Self.labels(["a": "1"]), timestamp: 100_000, value: 1, created: &created)
        head.truncate(before: 50_000)
        #expect(
            head.append(labels: Self.labels(["a": "2"]), timestamp: 10, value: 1, created: &created).outcome
                == .rejected(.outOfBounds))
        #expect(head.series.count == 1)
    }

    /// Five series; each matcher list selects the listed `job` values.
    static let fixture: [[String: String]] = [
        ["__name__": "http_requests_total", "job": "api", "code": "200"],
        ["__name__": "http_requests_total", "job": "api", "code": "500"],
        ["__name__": "http_requests_total", "job": "web", "code": "200"],
        ["__name__": "http_requests_total", "job": "batch"],
        ["__name__": "up", "job": "api"],
    ]

    struct SelectCase: CustomTestStringConvertible, Sendable {
        let matchers: [(String, MatchType, String)]
        let expected: [String]
        var testDescription: String { matchers.map { "\($0.0)\($0.1.rawValue)\"\($0.2)\"" }.joined(separator: ",") }
    }

    static let selectCases: [SelectCase] = [
        SelectCase(matchers: [("__name__", .equal, "up")], expected: ["up{job=\"api\"}"]),
        SelectCase(
            matchers: [("__name__", .equal, "http_requests_total"), ("code", .equal, "200")],
            expected: [
                "http_requests_total{code=\"200\", job=\"api\"}", "http_requests_total{code=\"200\", job=\"web\"}",
            ]),
        SelectCase(
            matchers: [("__name__", .equal, "http_requests_total"), ("code", .equal, "")],
            expected: [
                "http_requests_total{job=\"batch\"}"
            ]),
        SelectCase(
            matchers: [("__name__", .equal, "http_requests_total"), ("code", .notEqual, "200")],
            expected: [
                "http_requests_total{code=\"500\", job=\"api\"}", "http_requests_total{job=\"batch\"}",
            ]),
        SelectCase(
            matchers: [("code", .notEqual, "")],
            expected: [
                "http_requests_total{code=\"200\", job=\"api\"}", "http_requests_total{code=\"200\", job=\"web\"}",
                "http_requests_total{code=\"500\", job=\"api\"}",
            ]),
        SelectCase(
            matchers: [("job", .regexMatch, "a.*|w.b")],
            expected: [
                "http_requests_total{code=\"200\", job=\"api\"}", "http_requests_total{code=\"200\", job=\"web\"}",
                "http_requests_total{code=\"500\", job=\"api\"}", "up{job=\"api\"}",
            ]),
        SelectCase(
            matchers: [("__name__", .regexMatch, "http.*"), ("job", .regexNoMatch, "api|web")],
            expected: [
                "http_requests_total{job=\"batch\"}"
            ]),
        SelectCase(
            matchers: [("code", .regexMatch, "5..|")],
            expected: [
                "http_requests_total{code=\"500\", job=\"api\"}", "http_requests_total{job=\"batch\"}",
                "up{job=\"api\"}",
            ]),
        SelectCase(matchers: [("job", .equal, "nope")], expected: []),
        SelectCase(
            matchers: [("nope", .regexMatch, ".*")],
            expected: [
                "http_requests_total{code=\"200\", job=\"api\"}", "http_requests_total{code=\"200\", job=\"web\"}",
                "http_requests_total{code=\"500\", job=\"api\"}", "http_requests_total{job=\"batch\"}",
                "up{job=\"api\"}",
            ]),
    ]

    @Test(arguments: selectCases)
    func selectByMatchers(_ testCase: SelectCase) throws {
        var head = Head()
        var created: SeriesRef?
        for pairs in Self.fixture {
            _ = head.append(labels: Self.labels(pairs), timestamp: 1000, value: 1, created: &created)
        }
        let matchers = try testCase.matchers.map { try LabelMatcher(name: $0.0, type: $0.1, value: $0.2) }
        let selected = head.select(matchers: matchers, minTime: .min, maxTime: .max)
        #expect(selected.map(\.labels.description) == testCase.expected)
        let reference = Self.fixture.map(Self.labels).filter { l in matchers.allSatisfy { $0.matches(l[$0.name]) } }
        #expect(selected.map(\.labels) == reference.sorted())
    }

    @Test func selectReadsAcrossChunksWithinTimeRange() throws {
        var head = Head()
        var created: SeriesRef?
        let l = Self.labels(["__name__": "g"])
        for i in 0..<1000 {
            _ = head.append(labels: l, timestamp: Int64(i) * 15_000, value: Double(i), created: &created)
        }
        #expect(head.closedChunks == 8)
        #expect(head.sampleCount == 1000)
        let matcher = try LabelMatcher(name: "__name__", type: .equal, value: "g")
        let selected = head.select(matchers: [matcher], minTime: 100 * 15_000, maxTime: 899 * 15_000)
        #expect(selected.count == 1)
        var iterator = selected[0].makeIterator()
        var values: [Double] = []
        while let sample = try iterator.next() { values.append(sample.value) }
        #expect(values == (100..<900).map(Double.init))
        #expect(head.select(matchers: [matcher], minTime: 15_000_000, maxTime: .max).isEmpty)
    }

    @Test func retentionDropsOldChunksAndSeries() {
        var head = Head()
        var created: SeriesRef?
        for i in 0..<1000 {
            _ = head.append(labels: Self.labels(["s": "long"]), timestamp: Int64(i), value: 1, created: &created)
        }
        _ = head.append(labels: Self.labels(["s": "short"]), timestamp: 5, value: 1, created: &created)
        let gone = head.truncate(before: 600)
        #expect(gone.count == 1)
        #expect(head.series.count == 1)
        #expect(head.postings.values(of: "s").keys.sorted() == ["long"])
        // Chunks [0,119]...[480,599] end before 600; the one holding 600 stays.
        #expect(head.sampleCount == 1000 - 600)
        #expect(head.chunkBytes == head.series.values.reduce(0) { $0 + $1.chunkBytes })
    }
}
