import Foundation
import TestSupport
import Testing

/// Issue 5's differential test: the same `prometheus.yml` and rule file in a real Prometheus
/// 2.42 and in `llmwatch evaluate`, both scraping the same local exporter every second and each
/// notifying its own recording Alertmanager-v2 receiver. The exporter's value goes low, high,
/// low. Both must show every alert in the same sequence of states on `/api/v1/alerts`, list the
/// same labels, annotations and values, and POST the same alerts: labels, annotations, the
/// generator URL's path, `startsAt` (the firing time), `endsAt` (four resend delays ahead
/// while firing, the resolution time once resolved, `keep_firing_for` after the condition
/// cleared), and resends at the same moments; and write the same `ALERTS` and
/// `ALERTS_FOR_STATE` series.
@Suite(
    "Alerting differential against prometheus",
    .enabled(if: Programs.isInstalled("prometheus")))
struct AlertingDifferentialTests {
    static let rules = """
        groups:
          - name: queues
            rules:
              - record: job:queue_depth:max
                expr: max by (job) (queue_depth)
              - alert: QueueBacklog
                expr: queue_depth > 10
                for: 2s
                labels:
                  severity: warning
                  owner: "team-{{ $labels.queue }}"
                annotations:
                  summary: "queue {{ $labels.queue }} on {{ $labels.instance }} holds {{ $value }} items"
                  description: "{{ $value | humanize }} waiting in job {{ $labels.job }}"
              - alert: QueueBacklogDeepest
                expr: job:queue_depth:max > 40
                for: 1s
                keep_firing_for: 2s
                labels: {severity: critical}
                annotations:
                  summary: "deepest queue of {{ $labels.job }} holds {{ $value }}"
                  cluster: "{{ $externalLabels.cluster }}"

        """

    /// The resend delay both get (`--rules.alert.resend-delay`); longer than the evaluation
    /// interval, so that it decides the firing alerts' `endsAt`.
    static let resendDelay = 2.0
    static let evaluationInterval = 1.0
    /// How far ahead a firing alert's `endsAt` lies: Prometheus's 4 × max(resend delay, interval).
    static var validity: Double { 4 * max(resendDelay, evaluationInterval) }

    static let low = 1.0
    static let high = 1234.5

    /// The configuration of both, loading the one rule file at `ruleFile` (one path, so that
    /// the group's evaluation offset, a hash of its file and name, is the same in both).
    static func config(exporterPort: Int, receiverPort: Int, ruleFile: String) -> String {
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
          external_labels: {cluster: diff}
        rule_files: ["\(ruleFile)"]
        alerting:
          alert_relabel_configs:
            - source_labels: [severity]
              regex: critical
              target_label: page
              replacement: "yes"
          alertmanagers:
            - static_configs:
                - targets: ["127.0.0.1:\(receiverPort)"]
        scrape_configs:
          - job_name: exporter
            static_configs:
              - targets: ["127.0.0.1:\(exporterPort)"]

        """
    }

    /// What one side (Prometheus or llmwatch) produced.
    struct Side {
        let name: String
        let baseURL: String
        let receiver: AlertReceiver
        let timeline = AlertTimeline()
    }

    @Test func sameStatesAndNotificationsAsPrometheus() async throws {
        let exporter = GaugeExporter(Self.low)
        let theirs = AlertReceiver()
        let ours = AlertReceiver()
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await HeavyWork.limited {
            try await LocalServer.with({ exporter.register($0) }) { exporterPort in
                try await LocalServer.with({ theirs.register($0) }) { theirPort in
                    try await LocalServer.with({ ours.register($0) }) { ourPort in
                        let flag = "--rules.alert.resend-delay=\(Int(Self.resendDelay))s"
                        let ruleFile = directory.appendingPathComponent("rules.yml")
                        try Self.rules.write(to: ruleFile, atomically: true, encoding: .utf8)
                        let prometheus = try await RunningPrometheus.start(
                            config: Self.config(
                                exporterPort: exporterPort, receiverPort: theirPort, ruleFile: ruleFile.path),
                            flags: [flag])
                        let llmwatch: RunningEvaluator
                        do {
                            let configFile = directory.appendingPathComponent("prometheus.yml")
                            try Self.config(exporterPort: exporterPort, receiverPort: ourPort, ruleFile: ruleFile.path)
                                .write(to: configFile, atomically: true, encoding: .utf8)
                            llmwatch = try await RunningEvaluator.start(
                                storage: directory.appendingPathComponent("data").path,
                                ["--config.file=\(configFile.path)", flag])
                        } catch {
                            await prometheus.stop()
                            throw error
                        }
                        let sides = [
                            Side(name: "prometheus", baseURL: prometheus.baseURL, receiver: theirs),
                            Side(name: "llmwatch", baseURL: llmwatch.baseURL, receiver: ours),
                        ]
                        do {
                            try await Self.drive(exporter, sides)
                            Self.printScrapePhases(exporter)
                            let cleared = (
                                prometheus: try await Self.deepestCleared(sides[0]),
                                llmwatch: try await Self.deepestCleared(sides[1])
                            )
                            try Self.compare(prometheus: sides[0], llmwatch: sides[1], deepestCleared: cleared)
                        } catch {
                            print("llmwatch log:\n\(llmwatch.process.output.suffix(3000))")
                            await llmwatch.stop()
                            await prometheus.stop()
                            throw error
                        }
                        await llmwatch.stop()
                        await prometheus.stop()
                    }
                }
            }
        }
    }

    /// Samples both alert APIs every 250 ms until `condition` holds (at least `minimum` long).
    static func poll(
        _ sides: [Side], _ what: String, minimum: Duration = .zero, timeout: Duration = .seconds(20),
        until condition: () throws -> Bool = { true }
    ) async throws {
        let start = ContinuousClock.now
        let deadline = start + timeout
        while true {
            for side in sides { try await side.timeline.sample(side.baseURL) }
            if ContinuousClock.now - start >= minimum, try condition() { return }
            guard ContinuousClock.now < deadline else {
                let states = sides.map { "\($0.name): \($0.timeline.sequences)" }.joined(separator: "\n")
                let posts = sides.map { "\($0.name): \((try? $0.receiver.alerts()) ?? [])" }.joined(separator: "\n")
                throw TestFailure(
                    "timed out after \(timeout) waiting for \(what)\nstates:\n\(states)\nposts:\n\(posts)")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func drive(_ exporter: GaugeExporter, _ sides: [Side]) async throws {
        for side in sides {
            try await waitUntil("\(side.name) to record job:queue_depth:max", timeout: .seconds(20)) {
                try await HTTP.get(side.baseURL + "/api/v1/query?query=job:queue_depth:max").body.contains(
                    #""job":"exporter""#)
            }
        }
        let alertNames = ["QueueBacklog", "QueueBacklogDeepest"]
        func all(_ side: Side, _ state: String) -> Bool {
            let sequences = side.timeline.sequences
            let listed = side.timeline.lastListed.values
            return alertNames.allSatisfy { name in
                listed.contains { $0.labels["alertname"] == name && sequences[$0.key]?.last == state }
            }
        }
        func posted(_ side: Side, firing: Bool) throws -> Bool {
            let alerts = try side.receiver.alerts()
            return alertNames.allSatisfy { name in
                alerts.contains { $0.labels["alertname"] == name && $0.isFiring == firing }
            }
        }
        try await poll(sides, "a quiet start", minimum: .seconds(1.5))
        exporter.set(Self.high)
        try await poll(sides, "both alerts to fire and be sent in both") {
            try sides.allSatisfy { try all($0, "firing") && posted($0, firing: true) }
        }
        // /api/v1/rules as Grafana reads it, evaluation times aside.
        let theirRules = try normalizedRules(try await HTTP.get(sides[0].baseURL + "/api/v1/rules").body)
        let ourRules = try normalizedRules(try await HTTP.get(sides[1].baseURL + "/api/v1/rules").body)
        #expect(ourRules == theirRules, "/api/v1/rules while firing:\nllmwatch   \(ourRules)\nprometheus \(theirRules)")
        // Long enough for a resend in both, whatever their evaluation offsets.
        try await poll(sides, "resends", minimum: .seconds(Self.resendDelay + 2))
        exporter.set(Self.low)
        try await poll(sides, "both alerts to resolve and be sent resolved in both") {
            try sides.allSatisfy { try all($0, "resolved") && posted($0, firing: false) }
        }
        // Long enough for a resend of the resolved alerts.
        try await poll(sides, "a quiet end", minimum: .seconds(Self.resendDelay + 2.5))
        // The rules wrote the same series in both: the recording rule's, `ALERTS` while pending
        // and firing (stale once resolved), and `ALERTS_FOR_STATE` holding `activeAt`.
        for expr in [
            "job:queue_depth:max", "count_over_time(ALERTS[1m])", "ALERTS", "max_over_time(ALERTS_FOR_STATE[1m])",
        ] {
            let theirs = try await instant(sides[0], expr)
            let ours = try await instant(sides[1], expr)
            #expect(
                ours.keys.sorted() == theirs.keys.sorted(), "series of \(expr): llmwatch \(ours), prometheus \(theirs)")
            if expr == "count_over_time(ALERTS[1m])" { #expect(!theirs.isEmpty, "prometheus wrote ALERTS") }
        }
        for side in sides {
            for (key, value) in try await instant(side, "max_over_time(ALERTS_FOR_STATE[1m])") {
                let activeAt = side.timeline.lastListed[key]?.activeAt?.timeIntervalSince1970.rounded(.down)
                #expect(
                    Double(value) == activeAt, "\(side.name): ALERTS_FOR_STATE of \(key) is activeAt \(activeAt ?? -1)")
            }
        }
    }

    /// `/api/v1/rules` as canonical JSON without what depends on when each evaluated
    /// (`evaluationTime`, `lastEvaluation`, alerts' `activeAt`) and without a recording rule's
    /// empty `labels` (omitted by Prometheus 2.42, written `{}` by Prometheus 3 and llmwatch).
    static func normalizedRules(_ body: String) throws -> String {
        func clean(_ value: Any) -> Any {
            if let array = value as? [Any] { return array.map(clean) }
            guard var object = value as? [String: Any] else { return value }
            for key in ["evaluationTime", "lastEvaluation", "activeAt"] { object[key] = nil }
            if object["type"] as? String == "recording", (object["labels"] as? [String: Any])?.isEmpty == true {
                object["labels"] = nil
            }
            return object.mapValues(clean)
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8))
        let data = try JSONSerialization.data(withJSONObject: clean(parsed), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The result of an instant query on `side`: each series' labels (as an alert key) and value.
    static func instant(_ side: Side, _ expr: String) async throws -> [String: String] {
        let body = try await HTTP.get(side.baseURL + "/api/v1/query?" + formEncode([("query", expr)])).body
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard object?["status"] as? String == "success" else { throw TestFailure("\(side.name): \(expr): \(body)") }
        let result = (object?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        var out: [String: String] = [:]
        for series in result {
            out[AlertKey.of(series["metric"] as? [String: String] ?? [:])] =
                (series["value"] as? [Any])?.last as? String ?? "?"
        }
        return out
    }

    /// When the deepest-queue condition cleared in `side`: the time of the first sample of the
    /// recording rule at or under the alert's threshold after one above it. The alert rule reads
    /// it in the same evaluation.
    static func deepestCleared(_ side: Side) async throws -> Date {
        let body = try await HTTP.get(
            side.baseURL + "/api/v1/query?" + formEncode([("query", #"job:queue_depth:max{job="exporter"}[5m]"#)])
        ).body
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let result = (object?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        let samples = (result.first?["values"] as? [[Any]] ?? []).compactMap { pair -> (Double, Double)? in
            guard let time = pair.first as? Double, let text = pair.last as? String, let value = Double(text) else {
                return nil
            }
            return (time, value)
        }
        let high = try #require(samples.firstIndex { $0.1 > 40 }, "\(side.name) recorded the high value: \(body)")
        let low = try #require(samples[high...].first { $0.1 <= 40 }, "\(side.name) recorded the low value again: \(body)")
        return Date(timeIntervalSince1970: low.0)
    }

    /// Compares what both did; `deepestCleared` holds when the deepest-queue condition cleared
    /// in each.
    static func compare(
        prometheus theirs: Side, llmwatch ours: Side, deepestCleared: (prometheus: Date, llmwatch: Date)
    ) throws {
        // (a) The same alerts went through the same states.
        let theirSequences = theirs.timeline.sequences
        let ourSequences = ours.timeline.sequences
        print("prometheus states: \(theirSequences)\nllmwatch states:   \(ourSequences)")
        #expect(ourSequences == theirSequences)
        for (key, sequence) in theirSequences {
            #expect(
                ["pending", "firing", "resolved"].allSatisfy(sequence.contains),
                "the test drove \(key) through pending, firing and resolved in Prometheus: \(sequence)")
        }
        let theirListed = theirs.timeline.lastListed
        let ourListed = ours.timeline.lastListed
        for (key, alert) in theirListed {
            guard let mine = ourListed[key] else { continue }
            #expect(mine.annotations == alert.annotations, "annotations of \(key) in /api/v1/alerts")
            #expect(mine.value == alert.value, "value of \(key) in /api/v1/alerts")
        }

        // (b) The same notifications.
        let theirPosts = Dictionary(grouping: try theirs.receiver.alerts(), by: \.key)
        let ourPosts = Dictionary(grouping: try ours.receiver.alerts(), by: \.key)
        #expect(Set(ourPosts.keys) == Set(theirPosts.keys), "the same alerts were POSTed")
        #expect(ours.receiver.contentTypes == theirs.receiver.contentTypes, "Content-Type of the POSTs")
        var theirSummaries: [String: Summary] = [:]
        var ourSummaries: [String: Summary] = [:]
        for (key, their) in theirPosts {
            guard let mine = ourPosts[key] else { continue }
            let theirSummary = try summarize(key, their, side: theirs)
            let ourSummary = try summarize(key, mine, side: ours)
            theirSummaries[theirSummary.name] = theirSummary
            ourSummaries[ourSummary.name] = ourSummary
            let theirFirst = try #require(their.filter(\.isFiring).first)
            let ourFirst = try #require(mine.filter(\.isFiring).first)
            #expect(ourFirst.annotations == theirFirst.annotations, "annotations of \(key)")
            #expect(
                Set(mine.map { pathOf($0.generatorURL) }) == [pathOf(theirFirst.generatorURL)],
                "generatorURL of \(key): ours \(Set(mine.map(\.generatorURL))), theirs \(theirFirst.generatorURL)")
            let startGap = ourSummary.startsAt.timeIntervalSince(theirSummary.startsAt)
            #expect(abs(startGap) < 2.5, "startsAt of \(key): llmwatch \(startGap)s after prometheus")
            #expect(
                abs(ourSummary.hold - theirSummary.hold) < 0.5,
                "startsAt - activeAt of \(key): llmwatch \(ourSummary.hold)s, prometheus \(theirSummary.hold)s")
            let endGap = ourSummary.resolvedAt.timeIntervalSince(theirSummary.resolvedAt)
            #expect(abs(endGap) < 2.5, "resolved endsAt of \(key): llmwatch \(endGap)s after prometheus")
            // One rule file path, one group name: the same evaluation offset, so both evaluate at
            // the same instants and their times differ by whole intervals only.
            for (what, gap) in [("startsAt", startGap), ("resolved endsAt", endGap)] {
                let phase = gap / Self.evaluationInterval
                #expect(
                    abs(phase - phase.rounded()) < 0.005,
                    "\(what) of \(key) is \(gap)s off prometheus's: not evaluated at the same instants")
            }
            // Sent when it fired and resent after the resend delay, at the same evaluations.
            // Resolved alerts are resent too, after the resend delay, with the same endsAt.
            let theirResolved = Array(theirSummary.resolvedSends.prefix(2))
            let ourResolved = Array(ourSummary.resolvedSends.prefix(2))
            #expect(theirResolved.count == 2, "prometheus resent \(key) resolved: \(theirSummary.resolvedSends)")
            #expect(
                ourResolved.count == theirResolved.count
                    && zip(ourResolved, theirResolved).allSatisfy { abs($0 - $1) < 0.5 },
                "resolved sends of \(key) after endsAt: llmwatch \(ourSummary.resolvedSends), prometheus \(theirSummary.resolvedSends)"
            )
            // External labels and alert_relabel_configs reach the notifications.
            #expect(theirFirst.labels["cluster"] == "diff", "prometheus adds the external labels: \(theirFirst.labels)")
            let theirSends = Array(theirSummary.sends.prefix(2))
            let ourSends = Array(ourSummary.sends.prefix(2))
            #expect(theirSends.count == 2, "prometheus resent \(key): \(theirSummary.sends)")
            #expect(
                ourSends.count == theirSends.count && zip(ourSends, theirSends).allSatisfy { abs($0 - $1) < 0.1 },
                "firing sends of \(key) after startsAt: llmwatch \(ourSummary.sends), prometheus \(theirSummary.sends)")
        }
        // keep_firing_for: the deepest-queue alert resolves that long after the evaluation that
        // first saw its condition clear. (Measured from the recording rule's own samples: a
        // scrape that lands inside a group evaluation, between the recording rule and the
        // per-queue alert, moves the per-queue alert's resolution one interval apart from it,
        // in Prometheus as in llmwatch.)
        func keptFiring(_ summaries: [String: Summary], cleared: Date) -> Double? {
            summaries["QueueBacklogDeepest"].map { $0.resolvedAt.timeIntervalSince(cleared) }
        }
        let theirKept = try #require(keptFiring(theirSummaries, cleared: deepestCleared.prometheus))
        let ourKept = try #require(keptFiring(ourSummaries, cleared: deepestCleared.llmwatch))
        #expect(abs(theirKept - 2) < 0.5, "prometheus kept firing for its keep_firing_for of 2s: \(theirKept)s")
        #expect(
            abs(ourKept - theirKept) < 0.5,
            "kept firing after the condition cleared: llmwatch \(ourKept)s, prometheus \(theirKept)s")
    }

    /// What one side POSTed for one alert, in seconds.
    struct Summary {
        var name: String
        var startsAt: Date
        /// `startsAt - activeAt`: how long it was pending.
        var hold: Double
        /// The resolved notification's `endsAt`.
        var resolvedAt: Date
        /// The evaluation time of each firing send (its `endsAt` less the validity) after `startsAt`.
        var sends: [Double]
        /// When each resolved notification arrived after `resolvedAt`.
        var resolvedSends: [Double]
    }

    /// Checks what `side` POSTed for alert `key` against Prometheus's rules and summarizes it.
    static func summarize(_ key: String, _ posts: [PostedAlert], side: Side) throws -> Summary {
        let firing = posts.filter(\.isFiring)
        let resolved = posts.filter { !$0.isFiring }
        let first = try #require(firing.first, "\(side.name) sent \(key) firing")
        let firstResolved = try #require(resolved.first, "\(side.name) sent \(key) resolved")
        #expect(Set(posts.map(\.startsAt)).count == 1, "\(side.name): one startsAt for \(key): \(posts)")
        // Firing: valid for 4 × max(resend delay, evaluation interval) from the evaluation that
        // sent it, which precedes the arrival by the evaluation and the send.
        for post in firing {
            let ahead = post.endsAt.map { $0.timeIntervalSince(post.arrived) } ?? -1
            #expect(
                ahead > Self.validity - 1.5 && ahead < Self.validity + 0.1,
                "\(side.name): firing \(key) endsAt \(ahead)s after arrival, expected about \(Self.validity)s")
        }
        #expect(
            firing.allSatisfy { $0.arrived <= firstResolved.arrived },
            "\(side.name): nothing firing for \(key) after it was sent resolved")
        // Resolved: ends when it resolved, at the evaluation that sent it, and keeps that end.
        let end = try #require(firstResolved.endsAt, "\(side.name): resolved \(key) has an endsAt")
        let lag = firstResolved.arrived.timeIntervalSince(end)
        #expect(lag >= -0.1 && lag < 1.5, "\(side.name): resolved \(key) arrived \(lag)s after its endsAt")
        #expect(Set(resolved.map(\.endsAt)).count == 1, "\(side.name): one endsAt for resolved \(key): \(resolved)")
        let listed = listedKey(first)
        let vanished = try #require(side.timeline.firstTime(listed, in: "resolved"))
        #expect(
            abs(vanished.timeIntervalSince(end)) < 1.5,
            "\(side.name): resolved \(key) endsAt \(end) vs gone from /api/v1/alerts at \(vanished)")
        let activeAt = try #require(
            side.timeline.lastListed[listed]?.activeAt, "\(side.name) listed activeAt of \(key)")
        return Summary(
            name: first.labels["alertname"] ?? "", startsAt: first.startsAt,
            hold: first.startsAt.timeIntervalSince(activeAt), resolvedAt: end,
            sends: firing.map { ($0.endsAt ?? $0.startsAt).timeIntervalSince(first.startsAt) - Self.validity },
            resolvedSends: resolved.map { $0.arrived.timeIntervalSince(end) })
    }

    /// The labels `/api/v1/alerts` lists for a POSTed alert: without those the notifier added
    /// (the external label `cluster`, and `page` from `alert_relabel_configs`).
    static func listedKey(_ posted: PostedAlert) -> String {
        AlertKey.of(posted.labels.filter { $0.key != "cluster" && $0.key != "page" })
    }

    /// Where in the second each scraped the exporter: both hash the host's FQDN, the external
    /// labels and the target into the offset as Prometheus does, so both scrape at the same point
    /// of the interval (up to request latency on a loaded machine).
    static func printScrapePhases(_ exporter: GaugeExporter) {
        var phases: [String: Double] = [:]
        for entry in exporter.scrapeLog {
            phases[entry.agent.hasPrefix("Prometheus") ? "prometheus" : "llmwatch"] =
                entry.time.timeIntervalSince1970.truncatingRemainder(dividingBy: Self.evaluationInterval)
        }
        print("scrape phase in the interval (s): \(phases)")
        if let ours = phases["llmwatch"], let theirs = phases["prometheus"] {
            let gap = abs(ours - theirs)
            #expect(min(gap, Self.evaluationInterval - gap) < 0.25, "scrape phases differ: \(phases)")
        }
    }

    /// `http://host:port/graph?...` without `http://host:port`.
    static func pathOf(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else {
            return url
        }
        return String(url[slash...])
    }
}
