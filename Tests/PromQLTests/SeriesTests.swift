import Series
import Testing

@Test func labelsAreSortedAndDropEmptyValues() {
    let labels = Labels(["b": "2", "a": "1", "empty": "", "__name__": "up"])
    #expect(labels.pairs.map(\.name) == ["__name__", "a", "b"])
    #expect(labels.metricName == "up")
    #expect(labels.description == #"up{a="1", b="2"}"#)
    #expect(labels.setting("a", to: "").pairs.map(\.name) == ["__name__", "b"])
    #expect(labels.droppingMetricName().description == #"{a="1", b="2"}"#)
}

@Test func labelsOrderAsPrometheus() {
    #expect(Labels(["a": "1"]) < Labels(["a": "1", "b": "1"]))
    #expect(Labels(["a": "1", "c": "1"]) > Labels(["a": "1", "b": "2"]))
}

/// Matchers, label values and whether they match.
private let matcherCases: [(type: MatchType, pattern: String, value: String, matches: Bool)] = [
    (.equal, "a", "a", true),
    (.equal, "a", "", false),
    (.notEqual, "a", "", true),
    (.regexMatch, "a.*", "abc", true),
    (.regexMatch, "b", "abc", false),
    (.regexMatch, "a|b", "b", true),
    (.regexMatch, ".*", "", true),
    (.regexMatch, "a.c", "a\nc", true),
    (.regexNoMatch, "a.*", "abc", false),
    (.regexNoMatch, "x", "abc", true),
    (.regexMatch, "(?i)ABC", "abc", true),
]

@Test(arguments: matcherCases)
func matchersAreFullyAnchored(type: MatchType, pattern: String, value: String, matches: Bool) throws {
    #expect(try LabelMatcher(name: "l", type: type, value: pattern).matches(value) == matches)
}

@Test func invalidRegexIsAnError() {
    #expect(throws: LabelMatcherError.self) {
        try LabelMatcher(name: "l", type: .regexMatch, value: "(")
    }
}

@Test func staleMarkerIsADistinctNaN() {
    #expect(Sample.staleNaN.isNaN)
    #expect(Sample.isStaleMarker(Sample.staleNaN))
    #expect(!Sample.isStaleMarker(.nan))
}

@Test func memorySourceSelectsByMatchersAndTime() throws {
    var source = MemorySeriesSource()
    source.append(
        labels: Labels(["__name__": "up", "job": "a"]),
        samples: [Sample(timestamp: 0, value: 1), Sample(timestamp: 10, value: 2)])
    source.append(
        labels: Labels(["__name__": "up", "job": "b"]), samples: [Sample(timestamp: 0, value: 3)])
    let selected = try source.select(
        matchers: [LabelMatcher(name: "job", type: .equal, value: "a")], minTime: 5, maxTime: 20)
    #expect(selected.map(\.labels) == [Labels(["__name__": "up", "job": "a"])])
    var iterator = selected[0].makeIterator()
    #expect(try iterator.next() == Sample(timestamp: 10, value: 2))
    #expect(try iterator.next() == nil)
}
