import Foundation
import PromQL
import Series
import TestSupport
import Testing

@testable import Evaluator

/// Loading, reloading and running groups on their schedule.
@Suite struct RuleManagerTests {
    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "llmwatch-rules-\(UUID().uuidString).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let fast = """
        groups:
          - name: fast
            interval: 1s
            rules:
              - record: one:value
                expr: vector(1)
              - alert: Always
                expr: vector(1)
        """

    /// Waits until `condition` holds for the manager's statuses.
    static func wait(
        _ manager: RuleManager, _ condition: @escaping ([RuleManager.GroupStatus]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(await manager.statuses), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func runsGroupsAndKeepsAlertStateAcrossAReloadWhileRunning() async throws {
        let file = try Self.write(Self.fast)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let manager = RuleManager()
        try await manager.load(files: [file])
        let store = MemorySampleStore()
        let sent = SentAlerts()
        await manager.start(engine: MemoryStoreQueryEngine(store: store), appender: store) { report in
            await sent.add(report.results.flatMap(\.alertsToSend))
        }
        try await Self.wait(manager) { ($0.first?.iterations ?? 0) >= 1 }
        let firstActiveAt = try #require(await manager.activeAlerts.first?.activeAt)
        #expect(await manager.activeAlerts.map(\.state) == [.firing])
        #expect(await sent.count >= 1)

        try await manager.load(files: [file])
        let iterationsAfterReload = await manager.statuses.first?.iterations ?? 0
        try await Self.wait(manager) { ($0.first?.iterations ?? 0) > iterationsAfterReload }
        await manager.stop()
        #expect(await manager.activeAlerts.map(\.activeAt) == [firstActiveAt], "the alert kept its state")
        let status = try #require(await manager.statuses.first)
        let time = try #require(status.lastEvaluation)
        let recorded = store.source.allSeries.first { $0.labels.metricName == "one:value" }
        #expect(recorded?.samples.last?.timestamp == time)
        #expect(status.evaluator.lastDurations.allSatisfy { $0 != nil })
    }

    @Test func aGroupRemovedOnReloadStopsAndANewOneStarts() async throws {
        let manager = RuleManager()
        try await manager.load([.text(name: "a.yml", yaml: Self.fast)])
        let store = MemorySampleStore()
        await manager.start(engine: MemoryStoreQueryEngine(store: store), appender: store)
        try await Self.wait(manager) { ($0.first?.iterations ?? 0) >= 1 }
        let renamed = Self.fast.replacingOccurrences(of: "name: fast", with: "name: other")
        try await manager.load([.text(name: "a.yml", yaml: renamed)])
        try await Self.wait(manager) { ($0.first?.iterations ?? 0) >= 1 }
        await manager.stop()
        #expect(await manager.statuses.map(\.evaluator.group.name) == ["other"])
        #expect(await manager.statuses.first?.iterations ?? 0 >= 1)
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
        await #expect(throws: RuleFileError.self) { try await manager.load(files: ["/nonexistent/rules.yml"]) }
        #expect(await manager.statuses.map(\.evaluator.group.name) == ["g"])
    }

    @Test func theSameGroupTwiceIsRefused() async throws {
        let manager = RuleManager()
        let text = "groups: [{name: g, rules: [{record: 'a:b', expr: x}]}]"
        do {
            try await manager.load([.text(name: "a.yml", yaml: text), .text(name: "a.yml", yaml: text)])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("group \"g\" is loaded twice"))
        }
    }
}

private actor SentAlerts {
    var count = 0
    func add(_ alerts: [Alert]) { count += alerts.count }
}
