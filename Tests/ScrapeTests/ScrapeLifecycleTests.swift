import Foundation
import PrometheusConfig
import Scrape
import Series
import TSDB
import Testing
import TestSupport

/// Targets come and go: reloads, file_sd changes and shutdown, with the stale markers Prometheus
/// writes for them.
struct ScrapeLifecycleTests {
    func yaml(_ jobs: [(String, String)], interval: String = "2s") -> String {
        "scrape_configs:\n" + jobs.map { job, address in
            "  - {job_name: \(job), scrape_interval: \(interval), static_configs: [{targets: ['\(address)']}]}\n"
        }.joined()
    }

    @Test func reloadKeepsUnchangedTargetsAndStopsRemovedOnes() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let appender = MemoryAppender()
            let manager = ScrapeManager(appender: appender, logger: testLogger)
            await manager.apply(try scrapeConfigs(yaml([("keep", exporter.address), ("drop", exporter.address)])))
            try await whileRunning(manager) {
                try await waitUntil("both jobs scraped") {
                    Set(appender.samples(named: "up").map { $0.labels["job"] }) == ["keep", "drop"]
                }
                let before = try #require(manager.activeTargets.first { $0.scrapePool == "keep" })
                let removedAt = TargetTime.now
                await manager.apply(try scrapeConfigs(yaml([("keep", exporter.address), ("new", exporter.address)])))
                #expect(manager.scrapePools == ["keep", "new"])
                #expect(manager.activeTargets.map(\.scrapePool) == ["keep", "new"])
                let after = try #require(manager.activeTargets.first { $0.scrapePool == "keep" })
                #expect(after.lastScrape != nil && after.health == .up)
                #expect(after.lastScrape! >= before.lastScrape!)
                try await waitUntil("stale markers of the removed job") {
                    appender.samples.contains { $0.labels["job"] == "drop" && $0.labels.metricName == "a" && $0.sample.isStaleMarker }
                }
                let stale = appender.samples.filter { $0.labels["job"] == "drop" && $0.sample.isStaleMarker }
                #expect(Set(stale.map(\.labels.metricName)) == Set(["a"] + ScrapeLoopTests.reportNames))
                let lastDrop = try #require(appender.samples.filter { $0.labels["job"] == "drop" && !$0.sample.isStaleMarker }.last)
                let staleTime = try #require(stale.first?.sample.timestamp)
                #expect(staleTime > lastDrop.sample.timestamp)
                #expect(staleTime >= removedAt - 50, "stale markers at the next tick after removal")
                #expect(!appender.samples.contains { $0.labels["job"] == "keep" && $0.sample.isStaleMarker })
            }
        }
    }

    @Test func changedJobRestartsItsLoopsWithoutStaleness() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\nb 2\n"))
            let appender = MemoryAppender()
            let manager = ScrapeManager(appender: appender, logger: testLogger)
            // A timed-out scrape would mark `a` stale too: a timeout no loaded machine reaches.
            await manager.apply(try scrapeConfigs(yaml([("job", exporter.address)], interval: "5s")))
            try await whileRunning(manager) {
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
                let changed = "scrape_configs:\n  - {job_name: job, scrape_interval: 5s, static_configs: [{targets: ['\(exporter.address)']}], metric_relabel_configs: [{source_labels: [__name__], regex: b, action: drop}]}\n"
                await manager.apply(try scrapeConfigs(changed))
                try await waitUntil("b dropped by the new config") {
                    appender.samples.contains { $0.labels.metricName == "b" && $0.sample.isStaleMarker }
                }
                #expect(manager.activeTargets.first?.scrapeInterval == "5s")
                #expect(!appender.samples.contains { $0.labels.metricName == "a" && $0.sample.isStaleMarker })
                #expect(!appender.samples.contains { $0.labels.metricName == "up" && $0.sample.isStaleMarker })
            }
        }
    }

    @Test func shutdownWritesStaleMarkersForEverySeries() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\nb{x=\"y\"} 2\n"))
            let appender = MemoryAppender()
            try await withScraping(yaml([("job", exporter.address)], interval: "10s"), into: appender) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
            }
            let last = try #require(appender.batches.last)
            #expect(last.allSatisfy { $0.sample.isStaleMarker })
            #expect(Set(last.map(\.labels.metricName)) == Set(["a", "b"] + ScrapeLoopTests.reportNames))
            #expect(last.first { $0.labels.metricName == "b" }?.labels["x"] == "y")
        }
    }

    @Test func prometheusBehaviourWithoutShutdownStaleness() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let appender = MemoryAppender()
            var options = ScrapeManager.Options()
            options.staleMarkersOnShutdown = false
            try await withScraping(yaml([("job", exporter.address)]), into: appender, options: options) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
            }
            #expect(!appender.samples.contains { $0.sample.isStaleMarker })
        }
    }

    @Test func fileDiscoveryFollowsTheFiles() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let port = String(exporter.address.split(separator: ":")[1])
            let targets = directory.appendingPathComponent("targets.json")
            try #"[{"targets": ["127.0.0.1:\#(port)"], "labels": {"team": "llm"}}]"#.write(to: targets, atomically: true, encoding: .utf8)
            let config = """
                scrape_configs:
                  - job_name: files
                    scrape_interval: 1s
                    file_sd_configs: [{files: ['*.json', '*.yml'], refresh_interval: 1h}]
                    relabel_configs:
                      - {source_labels: [__meta_filepath], regex: '.*/([^/]+)', target_label: source}
                """
            var options = ScrapeManager.Options()
            options.fileSDPollInterval = .milliseconds(50)
            let appender = MemoryAppender()
            try await withScraping(config, into: appender, directory: directory.path, options: options) { manager in
                try await waitUntil("the file's target") { manager.activeTargets.first?.health == .up }
                var target = try #require(manager.activeTargets.first)
                #expect(target.labels == labels(["job": "files", "instance": "127.0.0.1:\(port)", "team": "llm", "source": "targets.json"]))
                #expect(target.discoveredLabels["__meta_filepath"] == targets.path)

                try "- targets: ['localhost:\(port)']\n  labels: {team: ops}\n".write(
                    to: directory.appendingPathComponent("more.yml"), atomically: true, encoding: .utf8)
                try await waitUntil("the second file's target") { manager.activeTargets.count == 2 }

                try "this is [not json".write(to: targets, atomically: true, encoding: .utf8)
                try await Task.sleep(for: .milliseconds(400))
                #expect(manager.activeTargets.count == 2, "a broken file keeps its last good targets")
                #expect(manager.metrics.value("llmwatch_sd_file_read_errors_total") ?? 0 >= 1)

                try FileManager.default.removeItem(at: targets)
                try await waitUntil("the deleted file's target gone") { manager.activeTargets.count == 1 }
                target = try #require(manager.activeTargets.first)
                #expect(target.labels["team"] == "ops")
                try await waitUntil("stale markers of the deleted target") {
                    appender.samples.contains { $0.labels["team"] == "llm" && $0.labels.metricName == "a" && $0.sample.isStaleMarker }
                }
            }
        }
    }

    @Test func droppedTargetsAreListed() async throws {
        let config = """
            scrape_configs:
              - job_name: some
                scrape_interval: 1m
                static_configs: [{targets: ['a:1', 'b:2', 'c:3']}]
                relabel_configs: [{source_labels: [__address__], regex: 'b:2|c:3', action: drop}]
              - job_name: few
                scrape_interval: 1m
                keep_dropped_targets: 1
                static_configs: [{targets: ['d:1', 'e:2']}]
                relabel_configs: [{source_labels: [__address__], regex: '.*', action: drop}]
            """
        try await withScraping(config, into: MemoryAppender()) { manager in
            #expect(manager.activeTargets.map(\.scrapeURL) == ["http://a:1/metrics"])
            #expect(manager.activeTargets.first?.health == .unknown)
            let dropped = manager.droppedTargets
            #expect(dropped.map(\.scrapePool) == ["some", "some", "few"])
            #expect(dropped.map { $0.discoveredLabels["__address__"] } == ["b:2", "c:3", "d:1"])
            #expect(dropped[0].discoveredLabels == labels([
                "__address__": "b:2", "__metrics_path__": "/metrics", "__scheme__": "http",
                "__scrape_interval__": "1m", "__scrape_timeout__": "10s", "job": "some",
            ]))
        }
    }

    @Test func globalURLReplacesLoopbackHosts() {
        let options = GlobalURLOptions(listenAddress: "0.0.0.0:9479", host: "llmwatch.example:443", scheme: "https")
        #expect(options.globalURL("http://127.0.0.1:9100/metrics") == "http://llmwatch.example:9100/metrics")
        #expect(options.globalURL("http://localhost:9479/metrics") == "https://llmwatch.example:443/metrics")
        #expect(options.globalURL("http://[::1]:9100/x?y=1") == "http://llmwatch.example:9100/x?y=1")
        #expect(options.globalURL("http://node:9100/metrics") == "http://node:9100/metrics")
    }

    @Test func scrapesIntoTheTSDB() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        try await withExporter { exporter in
            exporter.set("/metrics", .text(llamaPage))
            try await withScraping(yaml([("llama", exporter.address)]), into: db) { _ in
                try await waitUntil("three scrapes") {
                    (try db.select(matchers: [try LabelMatcher(name: "__name__", type: .equal, value: "up")], minTime: .min, maxTime: .max)
                        .first.map { series in
                            var iterator = series.makeIterator()
                            var count = 0
                            while let _ = try iterator.next() { count += 1 }
                            return count
                        } ?? 0) >= 3
                }
            }
        }
        let names = db.labelValues("__name__")
        #expect(names.contains("llamacpp:prompt_tokens_total"))
        #expect(names.contains("scrape_series_added"))
        #expect(db.labelValues("job") == ["llama"])
        let series = try db.select(
            matchers: [try LabelMatcher(name: "__name__", type: .equal, value: "llamacpp:tokens_predicted_total")],
            minTime: .min, maxTime: .max)
        var iterator = try #require(series.first).makeIterator()
        var values: [Double] = []
        while let sample = try iterator.next() { values.append(sample.value) }
        #expect(values.dropLast().allSatisfy { $0 == 1024 })
        #expect(values.last.map(Sample.isStaleMarker) == true, "stale marker at shutdown")
        try db.close()
    }
}

/// Milliseconds since the epoch, for comparing with sample timestamps.
enum TargetTime {
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
