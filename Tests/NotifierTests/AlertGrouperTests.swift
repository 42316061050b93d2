import Series
import Testing

@testable import Notifier

/// When a webhook hears of a group: on a change of its alerts' states, and on the repeat.
struct AlertGrouperTests {
    static func alert(_ name: String, instance: String, startsAt: Int64 = 0, endsAt: Int64) -> PostableAlert {
        PostableAlert(
            labels: Labels(["alertname": name, "instance": instance]), annotations: .empty, startsAt: startsAt,
            endsAt: endsAt, generatorURL: "")
    }

    static func summary(_ due: [(groupLabels: Labels, alerts: [PostableAlert])], at time: Int64) -> [String] {
        due.map { group in
            group.groupLabels["alertname"] + ": "
                + group.alerts.map { "\($0.labels["instance"])=\($0.isResolved(at: time) ? "resolved" : "firing")" }
                .joined(separator: ",")
        }
    }

    @Test func changesAndRepeatsAreNotifiedAndResendsAreNot() {
        var grouper = AlertGrouper(repeatInterval: 3_600_000)
        var time: Int64 = 1_000
        #expect(
            Self.summary(grouper.ingest([Self.alert("A", instance: "1", endsAt: time + 240_000)], at: time), at: time)
                == ["A: 1=firing"])
        time += 60_000
        #expect(grouper.ingest([Self.alert("A", instance: "1", endsAt: time + 240_000)], at: time).isEmpty)
        time += 60_000
        let both = [
            Self.alert("A", instance: "1", endsAt: time + 240_000), Self.alert("A", instance: "2", endsAt: time + 240_000),
        ]
        #expect(Self.summary(grouper.ingest(both, at: time), at: time) == ["A: 1=firing,2=firing"])
        time += 60_000
        let resolvedOne = [
            Self.alert("A", instance: "1", endsAt: time), Self.alert("A", instance: "2", endsAt: time + 240_000),
        ]
        #expect(Self.summary(grouper.ingest(resolvedOne, at: time), at: time) == ["A: 1=resolved,2=firing"])
        time += 60_000
        // Prometheus resends the resolved alert for 15 minutes: no news.
        #expect(
            grouper.ingest(
                [Self.alert("A", instance: "1", endsAt: time - 60_000), Self.alert("A", instance: "2", endsAt: time + 240_000)],
                at: time
            ).isEmpty)
        time += 3_600_000
        #expect(
            Self.summary(grouper.ingest([Self.alert("A", instance: "2", endsAt: time + 240_000)], at: time), at: time)
                == ["A: 2=firing"], "the repeat interval passed")
    }

    @Test func anAlertNoLongerResentResolvesWhenItsEndPasses() {
        var grouper = AlertGrouper(repeatInterval: 3_600_000)
        _ = grouper.ingest([Self.alert("B", instance: "1", endsAt: 240_000)], at: 0)
        #expect(grouper.ingest([], at: 200_000).isEmpty)
        #expect(Self.summary(grouper.ingest([], at: 240_000), at: 240_000) == ["B: 1=resolved"])
        #expect(grouper.ingest([], at: 300_000).isEmpty)
    }
}
