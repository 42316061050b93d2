import Foundation
import PromQL
import Series
import Testing

@testable import Evaluator

/// Loading, reloading and running groups on their schedule.
@Suite struct RuleManagerTests {
    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "llmwatch-rules-\(UUID().uuidString).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func runsGroupsAndKeepsStateAcrossReload() async throws {
        let file = try Self.write(
            """
            groups:
              - name: fast
                interval: 1s
                rules:
                  - record: one:value
                    expr: vector(1)
                  - alert: Always
                    expr: vector(1)
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let manager = RuleManager(defaultInterval: 60_000)
        try await manager.load(files: [file])
        #expect(await manager.statuses.count == 1)
        let store = MemorySampleStore()
        let sent = SentAlerts()
        let task = Task {
            await manager.run(engine: MemoryStoreQueryEngine(store: store), appender: store) { alerts in
                await sent.add(alerts)
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while await manager.statuses.first?.lastEvaluation == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        task.cancel()
        await task.value
        let status = try #require(await manager.statuses.first)
        let time = try #require(status.lastEvaluation)
        #expect(await manager.activeAlerts.map(\.state) == [.firing])
        #expect(await sent.count >= 1)
        let recorded = store.source.allSeries.first { $0.labels.metricName == "one:value" }
        #expect(recorded?.samples.last?.timestamp == time)
        try await manager.load(files: [file])
        #expect(await manager.activeAlerts.map(\.activeAt) == [time])
    }

    @Test func badFileLeavesRulesAsTheyWere() async throws {
        let good = try Self.write("groups: [{name: g, rules: [{record: 'a:b', expr: x}]}]")
        let bad = try Self.write("groups: [{name: g, rules: [{record: 'a b', expr: x}]}]")
        defer {
            try? FileManager.default.removeItem(atPath: good)
            try? FileManager.default.removeItem(atPath: bad)
        }
        let manager = RuleManager()
        try await manager.load(files: [good])
        await #expect(throws: RuleFileError.self) { try await manager.load(files: [bad]) }
        #expect(await manager.statuses.map(\.evaluator.group.name) == ["g"])
    }
}

private actor SentAlerts {
    var count = 0
    func add(_ alerts: [Alert]) { count += alerts.count }
}
