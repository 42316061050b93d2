import PromQL
import Series
import Testing

@testable import Evaluator

/// Rule evaluation beyond what promtool's test format can observe: stale markers, resolved
/// retention, query offsets, and the schedule.
@Suite struct RuleGroupEvaluatorTests {
    static func group(_ yaml: String) throws -> RuleGroup {
        try RuleFileLoader.parse(yaml, file: "g.yml")[0]
    }

    static func store(_ series: [(Labels, [Double?])], step: Int64 = 60_000) -> MemorySampleStore {
        var source = MemorySeriesSource()
        for (labels, values) in series {
            let samples = values.enumerated().compactMap { i, v in
                v.map { Sample(timestamp: Int64(i) * step, value: $0) }
            }
            source.append(labels: labels, samples: samples)
        }
        return MemorySampleStore(source: source)
    }

    @Test func recordingRuleWritesStaleMarkerWhenSeriesVanishes() async throws {
        let group = try Self.group("groups: [{name: g, rules: [{record: 'r:x', expr: 'x > 0'}]}]")
        let store = Self.store([(Labels(["__name__": "x", "a": "1"]), [1, 1, 0, 0])])
        let engine = MemoryStoreQueryEngine(store: store)
        var evaluator = RuleGroupEvaluator(group: group)
        for t in stride(from: Int64(0), through: 180_000, by: 60_000) {
            _ = await evaluator.evaluate(at: t, engine: engine, appender: store)
        }
        let recorded = store.source.allSeries.first { $0.labels.metricName == "r:x" }
        let samples = try #require(recorded).samples
        #expect(samples.map(\.timestamp) == [0, 60_000, 120_000])
        #expect(samples[2].isStaleMarker)
    }

    @Test func resolvedAlertsAreRetainedFifteenMinutes() async throws {
        let group = try Self.group("groups: [{name: g, rules: [{alert: A, expr: 'x > 0'}]}]")
        let values: [Double?] = [1, 0] + Array(repeating: 0, count: 20)
        let store = Self.store([(Labels(["__name__": "x"]), values)])
        let engine = MemoryStoreQueryEngine(store: store)
        var evaluator = RuleGroupEvaluator(group: group)
        _ = await evaluator.evaluate(at: 0, engine: engine, appender: store)
        #expect(evaluator.alerts(ofRule: 0).map(\.state) == [.firing])
        _ = await evaluator.evaluate(at: 60_000, engine: engine, appender: store)
        let resolved = evaluator.alerts(ofRule: 0)
        #expect(resolved.map(\.state) == [.inactive])
        #expect(resolved.first?.resolvedAt == 60_000)
        #expect(evaluator.activeAlerts(ofRule: 0).isEmpty)
        _ = await evaluator.evaluate(at: 60_000 + 15 * 60_000, engine: engine, appender: store)
        #expect(evaluator.alerts(ofRule: 0).count == 1)
        _ = await evaluator.evaluate(at: 60_000 + 16 * 60_000, engine: engine, appender: store)
        #expect(evaluator.alerts(ofRule: 0).isEmpty)
    }

    @Test func firingAlertsAreSentAndResentAfterTheDelay() async throws {
        let group = try Self.group("groups: [{name: g, rules: [{alert: A, expr: 'x > 0', for: 1m}]}]")
        let store = Self.store([(Labels(["__name__": "x"]), [1, 1, 1, 1, 0])])
        let engine = MemoryStoreQueryEngine(store: store)
        var evaluator = RuleGroupEvaluator(group: group)
        evaluator.resendDelay = 90_000
        var sent: [[AlertState]] = []
        for t in stride(from: Int64(0), through: 240_000, by: 60_000) {
            let results = await evaluator.evaluate(at: t, engine: engine, appender: store)
            sent.append(results[0].alertsToSend.map(\.state))
        }
        // Pending at 0m; firing from 1m, sent then and again once 90s passed (3m); resolved at 4m.
        #expect(sent == [[], [.firing], [], [.firing], [.inactive]])
        let validUntil: Int64? = evaluator.alerts(ofRule: 0).first?.validUntil
        #expect(validUntil == Int64(240_000 + 4 * 90_000))
    }

    @Test func queryOffsetShiftsQueriesAndSamples() async throws {
        let group = try Self.group("groups: [{name: g, query_offset: 1m, rules: [{record: 'r:x', expr: 'x'}]}]")
        let store = Self.store([(Labels(["__name__": "x"]), [1, 2, 3])])
        var evaluator = RuleGroupEvaluator(group: group)
        let results = await evaluator.evaluate(
            at: 120_000, engine: MemoryStoreQueryEngine(store: store), appender: store)
        #expect(results[0].samples.map(\.value) == [2])
        #expect(results[0].samples.map(\.timestamp) == [60_000])
    }

    @Test func groupLabelsApplyAndRuleLabelsWin() async throws {
        var group = try Self.group("groups: [{name: g, rules: [{record: 'r:x', expr: 'x', labels: {team: b}}]}]")
        group.labels = [("team", "a"), ("env", "prod")]
        let store = Self.store([(Labels(["__name__": "x"]), [1])])
        var evaluator = RuleGroupEvaluator(group: group)
        let results = await evaluator.evaluate(at: 0, engine: MemoryStoreQueryEngine(store: store), appender: store)
        #expect(results[0].samples.first?.labels == Labels(["__name__": "r:x", "team": "b", "env": "prod"]))
    }

    @Test func stringResultIsAnError() async throws {
        let group = try Self.group("groups: [{name: g, rules: [{record: 'r:x', expr: '\"s\"'}]}]")
        let store = Self.store([])
        var evaluator = RuleGroupEvaluator(group: group)
        let results = await evaluator.evaluate(at: 0, engine: MemoryStoreQueryEngine(store: store), appender: store)
        #expect(results[0].error == "rule result is not a vector or scalar")
        #expect(evaluator.lastErrors == ["rule result is not a vector or scalar"])
        #expect(evaluator.health(ofRule: 0) == .err)
        #expect(RuleGroupEvaluator(group: group).health(ofRule: 0) == .unknown)
    }

    @Test(arguments: [
        // for 20m: pending 5m before going down at 10m, so 15m remain after the restart at 30m.
        ("20m", Int64(1_500_000)),
        // for 10m: 5m remain, less than the 10m grace period, so it fires 10m after the restart.
        ("10m", Int64(1_800_000)),
        // for 5m: shorter than the grace period, not restored.
        ("5m", Int64(1_800_000)),
    ])
    func restoresForState(holdFor: String, activeAt: Int64) async throws {
        let group = try Self.group("groups: [{name: g, rules: [{alert: A, expr: 'x > 0', for: \(holdFor)}]}]")
        let store = MemorySampleStore()
        let state = Labels(["__name__": "ALERTS_FOR_STATE", "alertname": "A"])
        _ = try store.append([
            LabeledSample(labels: state, timestamp: 540_000, value: 300),
            LabeledSample(labels: state, timestamp: 600_000, value: 300),
            LabeledSample(labels: Labels(["__name__": "x"]), timestamp: 1_800_000, value: 1),
        ])
        var evaluator = RuleGroupEvaluator(group: group)
        evaluator.restored = false
        let results = await evaluator.evaluate(
            at: 1_800_000, engine: MemoryStoreQueryEngine(store: store), appender: store)
        #expect(results[0].samples.isEmpty)
        evaluator.restoreForState(from: store, at: 1_800_000)
        #expect(evaluator.restored)
        #expect(evaluator.alerts(ofRule: 0).map(\.activeAt) == [activeAt])
    }

    @Test func xxhashMatchesReference() {
        #expect(XXHash64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        let long = Array("Nobody inspects the spammish repetition".utf8)
        #expect(XXHash64.hash(long) == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func scheduleAlignsToOffsetAndSkipsMissedTicks() {
        let schedule = RuleGroupSchedule(file: "rules.yml", name: "g", interval: 60_000)
        let step: Int64 = 60_000_000_000
        #expect(schedule.offsetNanoseconds >= 0 && schedule.offsetNanoseconds < step)
        let now: Int64 = 1_700_000_000_123_456_789
        let slot = schedule.slot(atOrBefore: now)
        #expect(slot <= now && now - slot < step)
        #expect((slot - schedule.offsetNanoseconds) % step == 0)
        #expect(schedule.firstEvaluation(startingAt: now) == slot + step)
        #expect(schedule.next(after: slot, now: slot + step) == (slot + step, 0))
        #expect(schedule.next(after: slot, now: slot + 3 * step) == (slot + 3 * step, 2))
    }
}

/// The alerts handed to the notifier look like Prometheus's.
struct AlertNotificationTests {
    @Test func generatorURLIsPrometheuss() throws {
        let expr = try PromQLParser.parse(#"llm:requests:rate5s{status="error"}>1"#)
        // The URL Prometheus 2.42 sent for this rule (../shared/fixtures/alertmanager).
        #expect(
            Alert.generatorURL(expr: expr, externalURL: "http://vm:19090")
                == "http://vm:19090/graph?g0.expr=llm%3Arequests%3Arate5s%7Bstatus%3D%22error%22%7D+%3E+1&g0.tab=1")
    }
}
