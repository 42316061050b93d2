import AsyncHTTPClient
import Evaluator
import Exposition
import Foundation
import Logging
import PromQL
import Series
import TestSupport
import Testing

@testable import RemoteQuery
@testable import RemoteWrite

/// Against a real Prometheus 2.42: samples we remote-write arrive, our API client reads them
/// back, and rules evaluated through the remote query engine see them.
@Suite(.enabled(if: Programs.isInstalled("prometheus")))
struct RemoteWriteAndQueryTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    /// A client that gives up on a refused connection after a second, as llmwatch's own do.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(1))))

    @Test func remoteWrittenSamplesAreQueriedBackAndRulesSeeThem() async throws {
        let prometheus = try await RunningPrometheus.start(
            config: "global: {scrape_interval: 1h}\n", flags: ["--web.enable-remote-write-receiver"])
        do {
            let now = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000
            var options = RemoteWriteQueue.Options(url: prometheus.baseURL + "/api/v1/write")
            options.flushInterval = .milliseconds(100)
            let registry = MetricRegistry()
            let queue = RemoteWriteQueue(options: options, client: .shared, registry: registry, logger: Self.quiet)
            let labels = Labels(["__name__": "llm_request_total", "model": "gpt-4o", "note": "ünïcode & \"quotes\""])
            var samples: [LabeledSample] = []
            for minute in 0..<10 {
                samples.append(LabeledSample(labels: labels, timestamp: now - Int64(9 - minute) * 60_000, value: Double(minute * 60)))
            }
            samples.append(LabeledSample(labels: Labels(["__name__": "odd", "x": "1"]), timestamp: now, value: -0.125))
            _ = try queue.append(samples)
            try await whileRunning(queue) {
                let deadline = ContinuousClock.now + .seconds(30)
                while !String(decoding: registry.render(.text004), as: UTF8.self).contains("llmwatch_remote_write_samples_sent_total{url=\"\(options.url)\"} 11"),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let client = PrometheusAPIClient(baseURL: prometheus.baseURL, client: Self.client)
            let range = try await client.rangeQuery("llm_request_total", start: now - 9 * 60_000, end: now, step: 60_000)
            #expect(range.count == 1)
            #expect(range.first?.labels == labels)
            #expect(range.first?.samples.map(\.value) == (0..<10).map { Double($0 * 60) })
            #expect(try await client.instantQuery("odd", at: now) == .vector([VectorSample(labels: Labels(["__name__": "odd", "x": "1"]), timestamp: now, value: -0.125)]))

            let rules = try RuleFileLoader.parse(
                """
                groups:
                  - name: remote
                    rules:
                      - record: model:llm_request:rate5m
                        expr: sum by (model) (rate(llm_request_total[5m]))
                      - alert: Busy
                        expr: model:llm_request:rate5m > 0.5
                """, file: "remote.rules.yml")
            var evaluator = RuleGroupEvaluator(group: try #require(rules.first))
            let store = MemorySampleStore()
            let engine = RemoteQueryEngine(client: client)
            let results = await evaluator.evaluate(at: now, engine: engine, appender: store)
            #expect(results.map(\.error) == [nil, nil])
            let rate = try #require(results.first?.samples.first)
            #expect(rate.labels == Labels(["__name__": "model:llm_request:rate5m", "model": "gpt-4o"]))
            #expect(abs(rate.value - 1) < 1e-9, "60 requests a minute is 1 per second, got \(rate.value)")
            // The alert's query goes to Prometheus too, which has no recorded series: nothing fires.
            #expect(results.last?.samples.isEmpty == true)

            let failure = await evaluator.evaluate(at: now, engine: RemoteQueryEngine(client: PrometheusAPIClient(baseURL: "http://127.0.0.1:1", client: Self.client)), appender: store)
            #expect(failure.first?.error?.contains("query to http://127.0.0.1:1 failed") == true)
        } catch {
            await prometheus.stop()
            throw error
        }
        await prometheus.stop()
    }

    @Test func anAPIErrorIsReportedWithItsType() async throws {
        let prometheus = try await RunningPrometheus.start(config: "global: {scrape_interval: 1h}\n")
        defer { Task { await prometheus.stop() } }
        let client = PrometheusAPIClient(baseURL: prometheus.baseURL, client: Self.client)
        do {
            _ = try await client.instantQuery("sum(", at: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == "bad_data")
            #expect(error.description.contains("unclosed left parenthesis"))
        }
        await prometheus.stop()
    }
}
