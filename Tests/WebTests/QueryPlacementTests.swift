import Foundation
import Series
import TSDB
import TestSupport
import Testing

@testable import Web

/// Small queries are evaluated where the request is; large ones and subqueries wait for a
/// query thread.
@Suite("Query placement")
struct QueryPlacementTests {
    @Test(.timeLimit(.minutes(1))) func smallQueriesDoNotWaitForABusyQueryThread() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        // One series every 10 s for a day, and 100 series for the last 10 minutes; queries
        // foreseen to read more than `inPlaceSamples` wait for a query thread.
        var samples: [LabeledSample] = []
        for t in stride(from: Int64(0), through: 86_400_000, by: 10_000) {
            samples.append(LabeledSample(labels: Labels(["__name__": "one"]), timestamp: t, value: Double(t)))
        }
        for i in 0..<100 {
            for t in stride(from: Int64(85_800_000), through: 86_400_000, by: 10_000) {
                samples.append(
                    LabeledSample(labels: Labels(["__name__": "many", "i": "\(i)"]), timestamp: t, value: 1))
            }
        }
        try db.append(samples)
        var options = PrometheusAPI.Options()
        options.maxConcurrency = 1
        let api = PrometheusAPI(db: db, options: options)

        // Hold the only query thread.
        let release = Shared()
        let holding = Task {
            try await api.executor.run { _ in
                while release.value.load(ordering: .relaxed) == 0 { Thread.sleep(forTimeInterval: 0.002) }
            }
        }
        while api.executor.running == 0 { try await Task.sleep(for: .milliseconds(2)) }

        // Foreseen to read 1, 8,640 and 100 x 1,001 x 30 samples.
        #expect(PrometheusAPI.inPlaceSamples > 8_640 && PrometheusAPI.inPlaceSamples < 3_003_000)
        let small = try await api.query(FormValues(query: "query=one&time=86400"))
        #expect(String(decoding: small.data, as: UTF8.self).contains(#""value":[86400,"86400000"]"#))
        let day = try await api.query(FormValues(query: "query=count_over_time(one%5B1d%5D)&time=86400"))
        #expect(String(decoding: day.data, as: UTF8.self).contains(#""value":[86400,"8640"]"#))
        #expect(api.executor.queued == 0)

        let large = Task {
            try await api.queryRange(
                FormValues(query: "query=sum(rate(many%5B5m%5D))&start=85400&end=86400&step=1"))
        }
        let subquery = Task { try await api.query(FormValues(query: "query=max_over_time(one%5B1h:1m%5D)&time=86400")) }
        while api.executor.queued < 2 { try await Task.sleep(for: .milliseconds(2)) }
        release.value.store(1, ordering: .relaxed)
        try await holding.value
        #expect(String(decoding: try await large.value.data, as: UTF8.self).contains(#""resultType":"matrix""#))
        #expect(String(decoding: try await subquery.value.data, as: UTF8.self).contains(#""value":[86400,"86400000"]"#))
    }
}
