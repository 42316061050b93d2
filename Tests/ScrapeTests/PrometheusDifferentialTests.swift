import Exposition
import Foundation
import PrometheusConfig
import Scrape
import Series
import TSDB
import Testing
import TestSupport

/// The same exporter scraped for half a minute by a real `prometheus` (Debian's 2.42) and by
/// llmwatch's scrape manager into a real TSDB: the same series, the same `up`, values that agree.
///
/// The exporter's values are functions of wall time that change every two seconds, so two scrapes
/// close in time see the same page; only samples well inside one two-second step are compared.
@Suite(.timeLimit(.minutes(3)))
struct PrometheusDifferentialTests {
    static let step: Int64 = 2000
    static let transientFor: Int64 = 18_000

    /// The page at wall time `milliseconds`: a counter, a gauge that changes, a histogram, and a
    /// series that disappears `transientFor` after `start`.
    static func page(at milliseconds: Int64, start: Int64, format: ExpositionFormat) -> [UInt8] {
        let tick = Double(milliseconds / step)
        let registry = MetricRegistry()
        let transient = milliseconds - start < transientFor
        registry.register(collector: DiffCollector(tick: tick, transient: transient))
        return registry.render(format)
    }

    struct DiffCollector: MetricCollector {
        let tick: Double
        let transient: Bool

        func collect() -> [MetricFamilySnapshot] {
            var families = [
                MetricFamilySnapshot(
                    name: "diff_requests_total", help: "Requests.",
                    metrics: .counter([
                        NumberSample(labels: [Label("code", "200")], value: tick * 3),
                        NumberSample(labels: [Label("code", "500")], value: tick.truncatingRemainder(dividingBy: 5)),
                    ])),
                .gauge(name: "diff_temperature_celsius", help: "A gauge that moves.", value: 20 + (tick * 7).truncatingRemainder(dividingBy: 11) / 4),
                MetricFamilySnapshot(
                    name: "diff_latency_seconds", help: "A histogram.",
                    metrics: .histogram([
                        HistogramSnapshot(
                            labels: [Label("route", "/v1/chat \"quoted\"")], upperBounds: [0.1, 0.5, 1],
                            cumulativeCounts: [UInt64(tick), UInt64(tick * 2), UInt64(tick * 2), UInt64(tick * 3)],
                            sum: tick * 1.25)
                    ])),
            ]
            if transient {
                families.append(.gauge(name: "diff_transient", help: "Disappears.", value: tick, labels: [Label("phase", "early")]))
            }
            return families
        }
    }

    @Test func sameSeriesSameUpAgreeingValues() async throws {
        let prometheusBinary = try Programs.installed("prometheus")
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = TargetTime.now
        let downPort = try Programs.freePort()
        try await withExporter { exporter in
            exporter.set("/metrics") { request in
                let format = ExpositionFormat.negotiate(accept: request.headers["accept"])
                return ExporterReply(
                    headers: [("content-type", format.contentType)],
                    body: PrometheusDifferentialTests.page(at: TargetTime.now, start: start, format: format))
            }
            let yaml = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: diff
                    static_configs:
                      - targets: ['\(exporter.address)', '127.0.0.1:\(downPort)']
                """
            let configPath = directory.appendingPathComponent("prometheus.yml").path
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
            let webPort = try Programs.freePort()
            let prometheus = try ManagedProcess(
                prometheusBinary,
                ["--config.file=\(configPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("prom").path)",
                 "--web.listen-address=127.0.0.1:\(webPort)"])
            let db = try DB(path: directory.appendingPathComponent("llmwatch").path)
            let api = "http://127.0.0.1:\(webPort)/api/v1"
            do {
                try await withScraping(yaml, into: db) { manager in
                    _ = try await prometheus.waitForLog("Server is ready to receive web requests", timeout: .seconds(60))
                    try await Task.sleep(for: .seconds(30))
                    let health = Dictionary(uniqueKeysWithValues: manager.activeTargets.map { ($0.labels["instance"], $0.health) })
                    #expect(health == [exporter.address: .up, "127.0.0.1:\(downPort)": .down])
                }
                let end = TargetTime.now
                try await compare(api: api, db: db, start: start, end: end, exporter: exporter.address, down: "127.0.0.1:\(downPort)")
            } catch {
                await prometheus.stop(keepLog: true)
                throw error
            }
            await prometheus.stop()
            try db.close()
        }
    }

    private func compare(api: String, db: DB, start: Int64, end: Int64, exporter: String, down: String) async throws {
        let window = "start=\(Double(start) / 1000)&end=\(Double(end) / 1000)"
        let theirs = try await Self.json(api + "/series?match%5B%5D=%7Bjob%3D%22diff%22%7D&" + window)
        let theirSeries = Set(((theirs["data"] as? [[String: String]]) ?? []).map { Labels($0) })
        let ourSeries = Set(try db.select(matchers: [try LabelMatcher(name: "job", type: .equal, value: "diff")], minTime: start, maxTime: end).map(\.labels))
        #expect(!theirSeries.isEmpty)
        #expect(ourSeries == theirSeries, "only ours: \(ourSeries.subtracting(theirSeries)), only theirs: \(theirSeries.subtracting(ourSeries))")
        let reportSeries = ScrapeLoopTests.reportNames.flatMap { name in
            [exporter, down].map { Labels(["__name__": name, "job": "diff", "instance": $0]) }
        }
        #expect(Set(reportSeries).isSubset(of: ourSeries))
        #expect(ourSeries.filter { $0["instance"] == down }.count == 5, "a down target has only its report series")

        var compared = 0
        for series in ourSeries.sorted() {
            let ours = try Self.samples(db, series, start: start, end: end)
            let theirs = try await Self.prometheusSamples(api, series, at: end)
            #expect(!theirs.isEmpty, "\(series): no samples in Prometheus")
            let name = series.metricName
            if name == "scrape_duration_seconds" {
                // Positive and bounded by the 1 s timeout (plus the slack a loaded machine adds
                // between the deadline and the report).
                #expect(ours.filter { !$0.isStaleMarker }.allSatisfy { $0.value > 0 && $0.value < 1.5 }, "\(series): \(ours)")
                continue
            }
            var pairs = 0
            for sample in ours where !sample.isStaleMarker {
                guard let match = theirs.min(by: { abs($0.timestamp - sample.timestamp) < abs($1.timestamp - sample.timestamp) }),
                    abs(match.timestamp - sample.timestamp) <= 600
                else { continue }
                let safe = { (t: Int64) in (t % Self.step) > 250 && (t % Self.step) < Self.step - 250 }
                let sameStep = sample.timestamp / Self.step == match.timestamp / Self.step
                let firstScrape = sample.timestamp == ours.first?.timestamp || match.timestamp == theirs.first?.timestamp
                let matters = ["up"].contains(name) || (safe(sample.timestamp) && safe(match.timestamp) && sameStep)
                guard matters, name != "scrape_series_added" || !firstScrape else { continue }
                if name == "scrape_samples_scraped" || name == "scrape_samples_post_metric_relabeling" {
                    let nearDisappearance = abs(sample.timestamp - (start + Self.transientFor)) < 1500
                    if nearDisappearance { continue }
                }
                #expect(sample.value == match.value, "\(series) at \(sample.timestamp): ours \(sample.value), Prometheus \(match.value) at \(match.timestamp)")
                pairs += 1
            }
            #expect(pairs >= (name == "diff_transient" ? 2 : 5), "\(series): only \(pairs) comparable samples")
            compared += pairs
        }
        #expect(compared > 100)

        let ups = try await Self.json(api + "/query?query=up%7Bjob%3D%22diff%22%7D&time=\(Double(end) / 1000)")
        let upResult = ((ups["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        var theirUp: [String: String] = [:]
        for item in upResult {
            if let metric = item["metric"] as? [String: String], let value = item["value"] as? [Any], let text = value.last as? String {
                theirUp[metric["instance"] ?? ""] = text
            }
        }
        #expect(theirUp == [exporter: "1", down: "0"])

        let transient = Labels(["__name__": "diff_transient", "phase": "early", "job": "diff", "instance": exporter])
        let ourTransient = try Self.samples(db, transient, start: start, end: end)
        let lastValue = try #require(ourTransient.last { !$0.isStaleMarker })
        #expect(lastValue.timestamp < start + Self.transientFor + 1500)
        #expect(ourTransient.last?.isStaleMarker == true, "a stale marker after the series disappeared")
        let stillThere = try await Self.json(api + "/query?query=diff_transient&time=\(Double(end) / 1000)")
        #expect(((stillThere["data"] as? [String: Any])?["result"] as? [Any])?.isEmpty == true, "Prometheus marked it stale too")
    }

    static func samples(_ db: DB, _ labels: Labels, start: Int64, end: Int64) throws -> [Sample] {
        let matchers = try labels.map { try LabelMatcher(name: $0.name, type: .equal, value: $0.value) }
        guard let series = try db.select(matchers: matchers, minTime: start, maxTime: end).first(where: { $0.labels == labels }) else {
            return []
        }
        var iterator = series.makeIterator()
        var result: [Sample] = []
        while let sample = try iterator.next() { result.append(sample) }
        return result
    }

    static func prometheusSamples(_ api: String, _ labels: Labels, at end: Int64) async throws -> [Sample] {
        let selector = "{" + labels.map { "\($0.name)=\(Labels.quote($0.value))" }.joined(separator: ",") + "}[2m]"
        let query = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
        let body = try await json(api + "/query?query=\(query)&time=\(Double(end) / 1000)")
        let result = ((body["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        guard let values = result.first?["values"] as? [[Any]] else { return [] }
        return values.compactMap { pair in
            guard let time = pair.first as? Double ?? (pair.first as? NSNumber)?.doubleValue,
                let text = pair.last as? String, let value = Double(text)
            else { return nil }
            return Sample(timestamp: Int64((time * 1000).rounded()), value: value)
        }
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let reply = try await HTTP.get(url)
        guard reply.status == 200, let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] else {
            throw TestFailure("\(url): \(reply.status) \(reply.body.prefix(500))")
        }
        return object
    }
}
