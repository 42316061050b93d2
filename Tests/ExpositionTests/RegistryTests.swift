import Testing

@testable import Exposition

@Suite("Registry and writers")
struct RegistryTests {
    private func page(_ registry: MetricRegistry, _ format: ExpositionFormat) -> String {
        String(decoding: registry.render(format), as: UTF8.self)
    }

    private func sampleRegistry() -> MetricRegistry {
        let registry = MetricRegistry()
        let requests = registry.counter(
            name: "llm_requests_total", help: "Requests sent to models.", labelNames: ["model", "outcome"])
        requests.labels("gpt-4o", "ok").inc()
        requests.labels("gpt-4o", "ok").inc(2)
        requests.labels("llama3", "error").inc(0.5)
        let inFlight = registry.gauge(name: "llm_in_flight_requests", help: "Requests waiting for an answer.")
        inFlight.labels().set(3)
        inFlight.labels().dec()
        let latency = registry.histogram(
            name: "llm_request_duration_seconds", help: "Time to the last token.", labelNames: ["model"],
            buckets: [0.005, 0.5, 1, 2.5])
        let gpt = latency.labels("gpt-4o")
        for value in [0.001, 0.005, 0.7, 3] { gpt.observe(value) }
        return registry
    }

    @Test func rendersText004() {
        #expect(
            page(sampleRegistry(), .text004) == """
                # HELP llm_requests_total Requests sent to models.
                # TYPE llm_requests_total counter
                llm_requests_total{model="gpt-4o",outcome="ok"} 3
                llm_requests_total{model="llama3",outcome="error"} 0.5
                # HELP llm_in_flight_requests Requests waiting for an answer.
                # TYPE llm_in_flight_requests gauge
                llm_in_flight_requests 2
                # HELP llm_request_duration_seconds Time to the last token.
                # TYPE llm_request_duration_seconds histogram
                llm_request_duration_seconds_bucket{model="gpt-4o",le="0.005"} 2
                llm_request_duration_seconds_bucket{model="gpt-4o",le="0.5"} 2
                llm_request_duration_seconds_bucket{model="gpt-4o",le="1"} 3
                llm_request_duration_seconds_bucket{model="gpt-4o",le="2.5"} 3
                llm_request_duration_seconds_bucket{model="gpt-4o",le="+Inf"} 4
                llm_request_duration_seconds_sum{model="gpt-4o"} 3.706
                llm_request_duration_seconds_count{model="gpt-4o"} 4

                """)
    }

    @Test func rendersOpenMetrics() {
        #expect(
            page(sampleRegistry(), .openMetrics) == """
                # HELP llm_requests Requests sent to models.
                # TYPE llm_requests counter
                llm_requests_total{model="gpt-4o",outcome="ok"} 3.0
                llm_requests_total{model="llama3",outcome="error"} 0.5
                # HELP llm_in_flight_requests Requests waiting for an answer.
                # TYPE llm_in_flight_requests gauge
                llm_in_flight_requests 2.0
                # HELP llm_request_duration_seconds Time to the last token.
                # TYPE llm_request_duration_seconds histogram
                llm_request_duration_seconds_bucket{model="gpt-4o",le="0.005"} 2
                llm_request_duration_seconds_bucket{model="gpt-4o",le="0.5"} 2
                llm_request_duration_seconds_bucket{model="gpt-4o",le="1.0"} 3
                llm_request_duration_seconds_bucket{model="gpt-4o",le="2.5"} 3
                llm_request_duration_seconds_bucket{model="gpt-4o",le="+Inf"} 4
                llm_request_duration_seconds_sum{model="gpt-4o"} 3.706
                llm_request_duration_seconds_count{model="gpt-4o"} 4
                # EOF

                """)
    }

    @Test func familyWithoutSeriesKeepsHelpAndType() {
        let registry = MetricRegistry()
        _ = registry.counter(name: "errors_total", help: "Errors.", labelNames: ["kind"])
        #expect(page(registry, .text004) == "# HELP errors_total Errors.\n# TYPE errors_total counter\n")
    }

    @Test func escapesLabelValuesAndHelp() {
        let registry = MetricRegistry()
        let family = registry.gauge(name: "g", help: "a \\ b\nc \"q\"", labelNames: ["path"])
        family.labels("C:\\dir\n\"x\"").set(1)
        #expect(
            page(registry, .text004) == """
                # HELP g a \\\\ b\\nc "q"
                # TYPE g gauge
                g{path="C:\\\\dir\\n\\"x\\""} 1

                """)
        #expect(page(registry, .openMetrics).hasPrefix("# HELP g a \\\\ b\\nc \\\"q\\\"\n"))
    }

    @Test func countersIgnoreNegativeAndNaNIncrements() {
        let counter = MetricRegistry().counter(name: "c_total", help: "c").labels()
        counter.inc(-1)
        counter.inc(.nan)
        counter.inc(2)
        #expect(counter.value == 2)
    }

    @Test func removesSeries() {
        let registry = MetricRegistry()
        let family = registry.counter(name: "c_total", help: "c", labelNames: ["a"])
        family.labels("1").inc()
        family.labels("2").inc()
        family.labels("3").inc()
        #expect(family.remove("2"))
        #expect(!family.remove("2"))
        #expect(family.children.map(\.labelValues) == [["1"], ["3"]])
        family.labels("3").inc()
        #expect(family.labels("3").value == 2)
    }

    @Test func histogramBucketsAreInclusiveAndCumulative() {
        let histogram = MetricRegistry().histogram(name: "h", help: "h", buckets: [1, 2, .infinity]).labels()
        for value in [0.5, 1, 1.5, 2, 5, .nan] { histogram.observe(value) }
        #expect(histogram.cumulativeCounts == [2, 4, 6])
        #expect(histogram.count == 6)
        #expect(histogram.sum.isNaN)
    }

    @Test func registrationIsIdempotentAndChecked() throws {
        let registry = MetricRegistry()
        let first = registry.counter(name: "a_total", help: "a", labelNames: ["x"])
        #expect(registry.counter(name: "a_total", help: "a", labelNames: ["x"]) === first)
        #expect(throws: RegistrationError.conflictingRegistration("a_total")) {
            try registry.makeGauge(name: "a_total", help: "a", labelNames: ["x"])
        }
        #expect(throws: RegistrationError.conflictingRegistration("a_total")) {
            try registry.makeCounter(name: "a_total", help: "a", labelNames: ["y"])
        }
        #expect(throws: RegistrationError.invalidMetricName("1abc")) {
            try registry.makeCounter(name: "1abc", help: "")
        }
        #expect(throws: RegistrationError.invalidMetricName("")) {
            try registry.makeCounter(name: "", help: "")
        }
        #expect(throws: RegistrationError.invalidLabelName(metric: "b", label: "__x")) {
            try registry.makeGauge(name: "b", help: "", labelNames: ["__x"])
        }
        #expect(throws: RegistrationError.invalidLabelName(metric: "b", label: "a:b")) {
            try registry.makeGauge(name: "b", help: "", labelNames: ["a:b"])
        }
        #expect(throws: RegistrationError.duplicateLabelName(metric: "b", label: "x")) {
            try registry.makeGauge(name: "b", help: "", labelNames: ["x", "x"])
        }
        #expect(throws: RegistrationError.invalidLabelName(metric: "h", label: "le")) {
            try registry.makeHistogram(name: "h", help: "", labelNames: ["le"], buckets: [1])
        }
        #expect(throws: RegistrationError.self) {
            try registry.makeHistogram(name: "h", help: "", buckets: [1, 1])
        }
        #expect(throws: RegistrationError.self) {
            try registry.makeHistogram(name: "h", help: "", buckets: [.nan])
        }
        _ = try registry.makeGauge(name: "ns:metric_name", help: "")
    }

    @Test func rendersCollectorFamilies() {
        struct Process: MetricCollector {
            func collect() -> [MetricFamilySnapshot] {
                [
                    .gauge(name: "process_open_fds", help: "Open file descriptors.", value: 12),
                    .counter(name: "process_cpu_seconds_total", help: "CPU time.", value: 1.25),
                    MetricFamilySnapshot(
                        name: "queue_wait_seconds", help: "Wait.",
                        metrics: .histogram([
                            HistogramSnapshot(
                                labels: [Label("queue", "a")], upperBounds: [0.1], cumulativeCounts: [1, 3],
                                sum: 0.75)
                        ])),
                ]
            }
        }
        let registry = MetricRegistry()
        registry.register(collector: Process())
        #expect(
            page(registry, .openMetrics) == """
                # HELP process_open_fds Open file descriptors.
                # TYPE process_open_fds gauge
                process_open_fds 12.0
                # HELP process_cpu_seconds CPU time.
                # TYPE process_cpu_seconds counter
                process_cpu_seconds_total 1.25
                # HELP queue_wait_seconds Wait.
                # TYPE queue_wait_seconds histogram
                queue_wait_seconds_bucket{queue="a",le="0.1"} 1
                queue_wait_seconds_bucket{queue="a",le="+Inf"} 3
                queue_wait_seconds_sum{queue="a"} 0.75
                queue_wait_seconds_count{queue="a"} 3
                # EOF

                """)
    }

    @Test func pageGrowingPastTheLastSizeIsRenderedWhole() throws {
        let registry = MetricRegistry()
        let family = registry.gauge(name: "g", help: "g", labelNames: ["i"])
        family.labels("0").set(1)
        _ = registry.render(.text004)
        for index in 1..<2_000 { family.labels(String(index)).set(Double(index)) }
        let page = page(registry, .text004)
        #expect(page.split(separator: "\n").count == 2_002)
        #expect(page.hasSuffix("g{i=\"1999\"} 1999\n"))
    }

    @Test func labelDescriptionIsEscaped() {
        #expect(Label("path", "a\"b").description == #"path="a\"b""#)
    }

    @Test func concurrentUpdatesAreNotLost() async {
        let registry = MetricRegistry()
        let family = registry.counter(name: "c_total", help: "c", labelNames: ["k"])
        let histogram = registry.histogram(name: "h", help: "h", buckets: [1]).labels()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 {
                        family.labels("\(task % 2)").inc()
                        histogram.observe(0.5)
                    }
                }
            }
        }
        #expect(family.labels("0").value + family.labels("1").value == 8000)
        #expect(histogram.count == 8000)
    }
}
