import PromQL
import Series
import Testing

/// A small store: two counters scraped every 15s for 10 minutes, one of them going stale at 5m.
private func fixture() -> MemorySeriesSource {
    var source = MemorySeriesSource()
    let a = (0...40).map { Sample(timestamp: Int64($0) * 15_000, value: Double($0) * 10) }
    var b = (0...20).map { Sample(timestamp: Int64($0) * 15_000, value: Double($0)) }
    b.append(Sample(timestamp: 315_000, value: Sample.staleNaN))
    source.append(labels: Labels(["__name__": "requests_total", "job": "a"]), samples: a)
    source.append(labels: Labels(["__name__": "requests_total", "job": "b"]), samples: b)
    return source
}

/// Instant queries at 5m and their results, rendered as `labels value` lines sorted.
private let instantCases: [(query: String, result: [String])] = [
    ("requests_total", [#"requests_total{job="a"} 200"#, #"requests_total{job="b"} 20"#]),
    ("sum(requests_total)", ["{} 220"]),
    (
        "rate(requests_total[1m])",
        [#"{job="a"} 0.6666666666666666"#, #"{job="b"} 0.06666666666666665"#]
    ),
    ("requests_total > 100", [#"requests_total{job="a"} 200"#]),
    ("requests_total > bool 100", [#"{job="a"} 1"#, #"{job="b"} 0"#]),
    (
        #"label_replace(requests_total, "x", "$1", "job", "(.)")"#,
        [#"requests_total{job="a", x="a"} 200"#, #"requests_total{job="b", x="b"} 20"#]
    ),
    (
        #"label_replace(requests_total, "x", "${1}-$name-$$", "job", "(?P<name>.)")"#,
        [#"requests_total{job="a", x="a-a-$"} 200"#, #"requests_total{job="b", x="b-b-$"} 20"#]
    ),
    (
        #"label_replace(requests_total, "job", "", "job", "a")"#,
        [#"requests_total 200"#, #"requests_total{job="b"} 20"#]
    ),
    (
        #"label_join(requests_total, "x", "-", "job", "__name__")"#,
        [
            #"requests_total{job="a", x="a-requests_total"} 200"#,
            #"requests_total{job="b", x="b-requests_total"} 20"#,
        ]
    ),
    ("count_values(\"v\", requests_total)", [#"{v="20"} 1"#, #"{v="200"} 1"#]),
    ("topk(1, requests_total)", [#"requests_total{job="a"} 200"#]),
    ("max_over_time(requests_total[5m:1m])", [#"{job="a"} 200"#, #"{job="b"} 20"#]),
    ("scalar(sum(requests_total))", ["scalar 220"]),
    ("1 + 2 * 3", ["scalar 7"]),
    (#""text""#, ["string text"]),
    ("absent(nonexistent{job=\"x\"})", [#"{job="x"} 1"#]),
]

private func render(_ value: QueryValue) -> [String] {
    switch value {
    case .scalar(_, let v): return ["scalar \(Formatting.goDefault(v))"]
    case .string(_, let s): return ["string \(s)"]
    case .vector(let samples):
        return samples.map { "\($0.labels) \(Formatting.goDefault($0.value))" }.sorted()
    case .matrix(let series): return series.map { "\($0.labels) \($0.samples.count) points" }
    }
}

@Test(arguments: instantCases)
func instantQueries(query: String, result: [String]) async throws {
    let engine = PromQLEngine()
    let value = try engine.instantQuery(query, at: 300_000, source: fixture()).value
    #expect(render(value) == result)
}

@Test func staleSeriesDisappears() async throws {
    let engine = PromQLEngine()
    let value = try engine.instantQuery("requests_total", at: 330_000, source: fixture()).value
    #expect(render(value) == [#"requests_total{job="a"} 220"#])
}

@Test func rangeQueryIsSortedMatrix() async throws {
    let engine = PromQLEngine()
    let result = try engine.rangeQuery(
        "requests_total", start: 0, end: 600_000, step: 60_000, source: fixture())
    #expect(
        render(result.value) == [
            #"requests_total{job="a"} 11 points"#, #"requests_total{job="b"} 6 points"#,
        ])
}

@Test func rangeQueryRejectsRangeVectors() async {
    let engine = PromQLEngine()
    await #expect(
        throws: QueryError.execution(
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")
    ) {
        _ = try engine.rangeQuery(
            "requests_total[5m]", start: 0, end: 60_000, step: 15_000, source: fixture())
    }
}

@Test func parseErrorsCarryPositions() async {
    let engine = PromQLEngine()
    do {
        _ = try engine.instantQuery("sum(rate(x[5m])", at: 0, source: fixture())
        Issue.record("expected a parse error")
    } catch {
        #expect("\(error)" == "1:16: parse error: unclosed left parenthesis")
    }
}

@Test func maxSamplesLimit() async {
    let engine = PromQLEngine(maxSamples: 10)
    await #expect(throws: QueryError.tooManySamples) {
        _ = try engine.instantQuery("requests_total[10m]", at: 600_000, source: fixture())
    }
    #expect(
        QueryError.tooManySamples.description
            == "query processing would load too many samples into memory in query execution")
}

/// The limit bounds what the selectors load as well as what a step holds: a day of 10 s samples
/// is refused under a limit of 1,000 even when each step would read one sample.
@Test func maxSamplesBoundsWhatIsLoaded() async throws {
    var source = MemorySeriesSource()
    source.append(
        labels: Labels(["__name__": "x"]),
        samples: (0..<8640).map { Sample(timestamp: Int64($0) * 10_000, value: Double($0)) })
    let day: Int64 = 86_400_000
    #expect(throws: QueryError.tooManySamples) {
        _ = try PromQLEngine(maxSamples: 1000).rangeQuery("x", start: 0, end: day, step: 3_600_000, source: source)
    }
    _ = try PromQLEngine(maxSamples: 10_000).rangeQuery("x", start: 0, end: day, step: 3_600_000, source: source)
}

@Test func cancellationStopsTheQuery() async {
    let engine = PromQLEngine()
    let task = Task {
        try engine.rangeQuery(
            "sum_over_time(requests_total[5m:1s])", start: 0, end: 3_600_000, step: 1000,
            source: fixture())
    }
    task.cancel()
    await #expect(throws: QueryError.canceled) { _ = try await task.value }
}

@Test func timeoutStopsTheQuery() async {
    let engine = PromQLEngine(timeout: .nanoseconds(1))
    await #expect(throws: QueryError.timeout) {
        _ = try engine.rangeQuery(
            "sum_over_time(requests_total[5m:1s])", start: 0, end: 3_600_000, step: 1000,
            source: fixture())
    }
}

@Test func nativeHistogramsAreRefused() async {
    var source = MemorySeriesSource()
    source.append(labels: Labels(["__name__": "h"]), samples: [], histogramTimestamps: [0])
    let engine = PromQLEngine()
    do {
        _ = try engine.instantQuery("h", at: 0, source: source)
        Issue.record("expected an error")
    } catch {
        #expect("\(error)".contains("native histograms are not supported"))
    }
}

@Test func manyToManyMatchingIsAnError() async {
    var source = MemorySeriesSource()
    source.append(
        labels: Labels(["__name__": "x", "a": "1", "b": "1"]), samples: [Sample(timestamp: 0, value: 1)]
    )
    source.append(
        labels: Labels(["__name__": "x", "a": "1", "b": "2"]), samples: [Sample(timestamp: 0, value: 1)]
    )
    source.append(
        labels: Labels(["__name__": "y", "a": "1"]), samples: [Sample(timestamp: 0, value: 1)])
    let engine = PromQLEngine()
    do {
        _ = try engine.instantQuery("y + on(a) x", at: 0, source: source)
        Issue.record("expected an error")
    } catch {
        #expect(
            "\(error)".hasSuffix(
                "many-to-many matching not allowed: matching labels must be unique on one side"))
    }
}

/// `Formatting.goFixed` against Go's `strconv.FormatFloat(v, 'f', -1, 64)` (count_values labels):
/// integers, plain decimals, and values Swift prints with an exponent.
@Test(arguments: [
    (0.1, "0.1"), (1e-7, "0.0000001"), (1.5e-5, "0.000015"), (1e21, "1000000000000000000000"),
    (9_007_199_254_740_992, "9007199254740992"), (1e16, "10000000000000000"), (123.456, "123.456"),
    (-2.5, "-2.5"), (0.3, "0.3"), (1.2345678901234566e17, "123456789012345660"), (-0.001, "-0.001"),
    (-0.0, "-0"), (42, "42"), (Double.nan, "NaN"), (-Double.infinity, "-Inf"),
] as [(Double, String)])
func goFixedFormatsAsGo(value: Double, text: String) {
    #expect(Formatting.goFixed(value) == text)
}
