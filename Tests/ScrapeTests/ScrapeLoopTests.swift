import Exposition
import Foundation
import PrometheusConfig
import Scrape
import Series
import Testing
import TestSupport

/// Scrapes of real local exporters over real sockets: what is appended, exactly.
struct ScrapeLoopTests {
    func job(_ exporter: Exporter, _ extra: String = "", interval: String = "2s", path: String = "/metrics") -> String {
        """
        scrape_configs:
          - job_name: exporter
            scrape_interval: \(interval)
            metrics_path: \(path)
            static_configs: [{targets: ['\(exporter.address)']}]
        \(extra)
        """
    }

    @Test func llamaCppPageIsStoredWithTargetLabels() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text(llamaPage))
            let appender = MemoryAppender()
            try await withScraping(job(exporter), into: appender) { manager in
                try await waitUntil("two scrapes") { appender.scrapes.count >= 2 }
                let first = appender.scrapes[0]
                let expected = try ExpositionParser.parseFamilies(Array(llamaPage.utf8), format: .text004)
                    .flatMap(\.samples)
                let target = labels(["job": "exporter", "instance": exporter.address])
                let scraped = first.filter { !ScrapeLoopTests.reportNames.contains($0.labels.metricName) }
                #expect(scraped.count == expected.count)
                for (sample, parsed) in zip(scraped, expected) {
                    var pairs = target.pairs
                    pairs.append(Series.Label(name: "__name__", value: parsed.name))
                    #expect(sample.labels == Labels(pairs))
                    #expect(sample.sample.value == parsed.value)
                }
                let timestamp = try #require(first.first?.sample.timestamp)
                #expect(first.allSatisfy { $0.sample.timestamp == timestamp })
                #expect(first.suffix(5).map(\.labels) == ScrapeLoopTests.reportNames.map { target.setting("__name__", to: $0) })
                #expect(appender.value("up", scrape: 0) == 1)
                #expect(appender.value("scrape_samples_scraped", scrape: 0) == 15)
                #expect(appender.value("scrape_samples_post_metric_relabeling", scrape: 0) == 15)
                #expect(appender.value("scrape_series_added", scrape: 0) == 15)
                #expect(appender.value("scrape_series_added", scrape: 1) == 0)
                let duration = try #require(appender.value("scrape_duration_seconds", scrape: 0))
                #expect(duration > 0 && duration < 5)
                try await waitUntil("the target up") { manager.activeTargets.first?.health == .up }
                let active = try #require(manager.activeTargets.first)
                #expect(active.lastError.isEmpty)
                #expect(active.scrapeURL == "http://\(exporter.address)/metrics")
                #expect(active.labels == target)
                #expect(active.scrapePool == "exporter")
                #expect(active.lastScrape != nil)
            }
        }
    }

    @Test func openMetricsTimestampsAreHonoured() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .openMetrics(
                "# TYPE jobs counter\njobs_total{kind=\"a\"} 3 1700000000.5\njobs_total{kind=\"b\"} 4\n# EOF\n"))
            let honoured = MemoryAppender()
            try await withScraping(job(exporter), into: honoured) { _ in
                try await waitUntil("a scrape") { honoured.scrapes.count >= 1 }
            }
            let first = honoured.scrapes[0]
            let scrapeTime = try #require(first.first { $0.labels.metricName == "up" }?.sample.timestamp)
            let a = try #require(first.first { $0.labels["kind"] == "a" })
            let b = try #require(first.first { $0.labels["kind"] == "b" })
            #expect(a.sample.timestamp == 1_700_000_000_500 && a.sample.value == 3)
            #expect(b.sample.timestamp == scrapeTime && b.sample.value == 4)
            #expect(a.labels.metricName == "jobs_total")

            let ignored = MemoryAppender()
            try await withScraping(job(exporter, "    honor_timestamps: false"), into: ignored) { _ in
                try await waitUntil("a scrape") { ignored.scrapes.count >= 1 }
            }
            let ignoredFirst = ignored.scrapes[0]
            let time = try #require(ignoredFirst.first?.sample.timestamp)
            #expect(ignoredFirst.allSatisfy { $0.sample.timestamp == time })
        }
    }

    @Test func gzipBodiesAreDecompressed() async throws {
        let page = "# TYPE g gauge\n" + (0..<2000).map { "g{i=\"\($0)\"} \($0)" }.joined(separator: "\n") + "\n"
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("page.txt")
        try page.write(to: file, atomically: true, encoding: .utf8)
        let gzip = try await runProgram("/bin/gzip", ["-k", "-9", file.path])
        #expect(gzip.status == 0, "\(gzip.output)")
        let compressed = try [UInt8](Data(contentsOf: directory.appendingPathComponent("page.txt.gz")))
        #expect(compressed.count < page.utf8.count / 3)
        try await withExporter { exporter in
            exporter.set("/metrics", ExporterReply(
                headers: [("content-type", "text/plain; version=0.0.4"), ("content-encoding", "gzip")], body: compressed))
            let appender = MemoryAppender()
            try await withScraping(job(exporter), into: appender) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
            }
            #expect(appender.value("up", scrape: 0) == 1)
            #expect(appender.value("scrape_samples_scraped", scrape: 0) == 2000)
            let values = appender.scrapes[0].filter { $0.labels.metricName == "g" }
            #expect(values.count == 2000)
            #expect(values.allSatisfy { $0.sample.value == Double($0.labels["i"]) })
            #expect(exporter.requests(to: "/metrics").first?.headers["accept-encoding"] == "gzip")
        }
    }

    @Test func requestHeadersAreThoseOfPrometheus() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let appender = MemoryAppender()
            var options = ScrapeManager.Options()
            options.userAgent = "llmwatch/0.1.0"
            try await withScraping(
                job(exporter, "    scrape_timeout: 900ms\n    params: {module: [x y]}", interval: "1s"), into: appender,
                options: options
            ) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
            }
            let request = try #require(exporter.requests(to: "/metrics").first)
            #expect(request.headers["accept"] == ScrapeProtocol.defaultAcceptHeader)
            #expect(request.headers["accept-encoding"] == "gzip")
            #expect(request.headers["user-agent"] == "llmwatch/0.1.0")
            #expect(request.headers["x-prometheus-scrape-timeout-seconds"] == "0.9")
            #expect(request.query == "module=x+y")
            let identity = MemoryAppender()
            try await withScraping(job(exporter, "    enable_compression: false\n    scrape_protocols: [PrometheusText0.0.4]"), into: identity) { _ in
                try await waitUntil("a scrape") { identity.scrapes.count >= 1 }
            }
            let second = try #require(exporter.requests(to: "/metrics").last)
            #expect(second.headers["accept-encoding"] == "identity")
            #expect(second.headers["accept"] == "text/plain;version=0.0.4;q=0.6,*/*;q=0.5")
            #expect(second.headers["x-prometheus-scrape-timeout-seconds"] == "2")
        }
    }

    @Test func seriesThatDisappearGetStaleMarkers() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\nb 2\nc{x=\"1\"} 3\n"))
            let appender = MemoryAppender()
            try await withScraping(job(exporter), into: appender) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
                exporter.set("/metrics", .text("a 5\n"))
                try await waitUntil("a scrape without b") {
                    appender.scrapes.contains { batch in batch.contains { $0.labels.metricName == "a" && $0.sample.value == 5 } }
                }
            }
            let scrapes = appender.scrapes
            let changed = try #require(scrapes.firstIndex { batch in batch.contains { $0.labels.metricName == "a" && $0.sample.value == 5 } })
            let batch = scrapes[changed]
            let time = try #require(batch.first { $0.labels.metricName == "up" }?.sample.timestamp)
            let stale = batch.filter { $0.sample.isStaleMarker }
            #expect(Set(stale.map(\.labels.metricName)) == ["b", "c"])
            #expect(stale.allSatisfy { $0.sample.timestamp == time })
            #expect(stale.first { $0.labels.metricName == "c" }?.labels["x"] == "1")
            #expect(appender.value("scrape_samples_scraped", scrape: changed) == 1)
            if changed + 1 < scrapes.count {
                #expect(!scrapes[changed + 1].contains { $0.sample.isStaleMarker })
            }
        }
    }

    static let failures: [(name: String, reply: ExporterReply, error: String)] = [
        ("broken page", .text("a 1\nb{x=\"1\" 2\n"), #"line 2: expected ',' or '}' after label value of "x""#),
        ("not found", ExporterReply(status: 404, body: Array("nope".utf8)), "server returned HTTP status 404 Not Found"),
        ("server error", ExporterReply(status: 503, body: []), "server returned HTTP status 503 Service Unavailable"),
        ("no EOF in OpenMetrics", .openMetrics("a 1\n"), "line 1: expected # EOF at the end of an OpenMetrics page"),
        ("bad value", .text("a one\n"), #"line 1: invalid sample value "one""#),
        ("binary garbage", ExporterReply(body: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }), "line "),
    ]

    @Test(arguments: failures.indices)
    func failedScrapeMarksEverythingStale(_ index: Int) async throws {
        let failure = Self.failures[index]
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\nb 2\n"))
            // Timed-out scrapes are kept: on a loaded machine the first failure may be a
            // timeout, and the stale markers go with whichever failure comes first.
            // A timeout before the first good scrape has nothing to mark stale: the failure
            // looked at is the first one after a good scrape.
            let appender = MemoryAppender(excludeTimeouts: false)
            func up(_ value: Double) -> ([LabeledSample]) -> Bool {
                { batch in batch.contains { $0.labels.metricName == "up" && $0.sample.value == value } }
            }
            func firstFailureAfterGood(_ scrapes: [[LabeledSample]]) -> Int? {
                guard let good = scrapes.firstIndex(where: up(1)) else { return nil }
                return scrapes[good...].firstIndex(where: up(0))
            }
            try await withScraping(job(exporter), into: appender) { manager in
                try await waitUntil("a good scrape") { appender.scrapes.contains(where: up(1)) }
                exporter.set("/metrics", failure.reply)
                try await waitUntil("a failed scrape") { firstFailureAfterGood(appender.scrapes) != nil }
                try await waitUntil("the target down with its error") {
                    manager.activeTargets.first.map { $0.health == .down && $0.lastError.hasPrefix(failure.error) } ?? false
                }
            }
            let scrapes = appender.scrapes
            let failed = try #require(firstFailureAfterGood(scrapes))
            let stale = scrapes[failed].filter { $0.sample.isStaleMarker }.map(\.labels.metricName).sorted()
            #expect(stale == ["a", "b"], "\(failure.name)")
            #expect(!scrapes[failed].contains { ($0.labels.metricName == "a" || $0.labels.metricName == "b") && !$0.sample.isStaleMarker })
            #expect(appender.value("scrape_series_added", scrape: failed) == 0)
            if failed + 1 < scrapes.count {
                #expect(!scrapes[failed + 1].contains { $0.sample.isStaleMarker }, "\(failure.name): stale twice")
            }
        }
    }

    @Test func tenMegabytesOfGarbageFailOnlyThatScrape() async throws {
        var garbage = [UInt8](repeating: 0, count: 10 << 20)
        var seed: UInt64 = 0x9E37_79B9
        for index in garbage.indices {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            garbage[index] = UInt8(truncatingIfNeeded: seed >> 33)
        }
        let body = garbage
        try await withExporter { exporter in
            exporter.set("/metrics", ExporterReply(body: body))
            exporter.set("/good", .text("ok 1\n"))
            let appender = MemoryAppender()
            let yaml = job(exporter) + """
                  - job_name: good
                    scrape_interval: 1s
                    metrics_path: /good
                    static_configs: [{targets: ['\(exporter.address)']}]
                """
            try await withScraping(yaml, into: appender) { manager in
                try await waitUntil("two scrapes of the garbage target") {
                    appender.samples(named: "up").filter { $0.labels["job"] == "exporter" }.count >= 2
                }
                let targets = manager.activeTargets
                #expect(targets.first { $0.scrapePool == "exporter" }?.health == .down)
                #expect(targets.first { $0.scrapePool == "good" }?.health == .up)
            }
            #expect(appender.samples(named: "up").filter { $0.labels["job"] == "exporter" && !$0.sample.isStaleMarker }
                .allSatisfy { $0.sample.value == 0 })
            #expect(appender.samples(named: "ok").count >= 1)
        }
    }

    @Test func hangingTargetTimesOut() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", ExporterReply(body: Array("a 1\n".utf8), delay: .seconds(3)))
            let appender = MemoryAppender(excludeTimeouts: false)
            try await withScraping(job(exporter, "    scrape_timeout: 300ms", interval: "1s"), into: appender) { manager in
                try await waitUntil("a timed-out scrape") { appender.scrapes.count >= 1 }
                let target = try #require(manager.activeTargets.first)
                #expect(target.lastError == "Get \"http://\(exporter.address)/metrics\": context deadline exceeded")
                #expect(target.lastScrapeDuration >= 0.3 && target.lastScrapeDuration < 2.5, "\(target.lastScrapeDuration)")
            }
            let duration = try #require(appender.value("scrape_duration_seconds", scrape: 0))
            #expect(duration >= 0.3 && duration < 2.5)
            #expect(appender.value("up", scrape: 0) == 0)
        }
    }

    @Test func refusedConnection() async throws {
        try await Programs.withRefusingPort { port in
        let appender = MemoryAppender()
        let yaml = "scrape_configs:\n  - {job_name: gone, scrape_interval: 1s, static_configs: [{targets: ['127.0.0.1:\(port)']}]}\n"
        try await withScraping(yaml, into: appender) { manager in
            try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
            let target = try #require(manager.activeTargets.first)
            #expect(target.health == .down)
            #expect(target.lastError == "Get \"http://127.0.0.1:\(port)/metrics\": dial tcp 127.0.0.1:\(port): connect: connection refused")
        }
        #expect(appender.value("up", scrape: 0) == 0)
        #expect(appender.value("scrape_samples_scraped", scrape: 0) == 0)
        }
    }

    @Test func bodySizeLimit() async throws {
        try await withExporter { exporter in
            let page = String(repeating: "a 1\n", count: 256)
            exporter.set("/metrics", .text(page))
            let appender = MemoryAppender()
            var manager: ScrapeManager?
            try await withScraping(job(exporter, "    body_size_limit: 1KB"), into: appender) { running in
                manager = running
                try await waitUntil("a scrape over the limit") {
                    appender.scrapes.count >= 1 && running.activeTargets.first?.lastError == "body size limit exceeded"
                }
            }
            #expect(page.utf8.count == 1024)
            #expect(appender.value("up", scrape: 0) == 0)
            #expect((manager?.metrics.value("llmwatch_target_scrapes_exceeded_body_size_limit_total") ?? 0) >= 1)
            let fits = MemoryAppender()
            try await withScraping(job(exporter, "    body_size_limit: 1025B"), into: fits) { _ in
                try await waitUntil("a scrape") { fits.scrapes.count >= 1 }
            }
            #expect(fits.value("up", scrape: 0) == 1)
        }
    }

    static let reportNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]
}
