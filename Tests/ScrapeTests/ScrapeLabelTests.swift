import Foundation
import PrometheusConfig
import Scrape
import Series
import Testing
import TestSupport

/// Limits, label conflicts and metric relabeling, checked on what is stored.
struct ScrapeLabelTests {
    func job(_ exporter: Exporter, _ extra: String) -> String {
        """
        scrape_configs:
          - job_name: exporter
            scrape_interval: 2s
            static_configs: [{targets: ['\(exporter.address)'], labels: {env: prod}}]
        \(extra)
        """
    }

    func firstScrape(_ page: ExporterReply, _ extra: String) async throws -> (MemoryAppender, ActiveTarget?, ScrapeMetrics) {
        try await withExporter { exporter in
            exporter.set("/metrics", page)
            let appender = MemoryAppender()
            var target: ActiveTarget?
            var metrics: ScrapeMetrics?
            try await withScraping(job(exporter, extra), into: appender) { manager in
                metrics = manager.metrics
                try await waitUntil("a scrape that did not time out") {
                    guard appender.scrapes.count >= 1, let active = manager.activeTargets.first else { return false }
                    return !active.lastError.hasSuffix("context deadline exceeded")
                }
                target = manager.activeTargets.first
            }
            return (appender, target, metrics!)
        }
    }

    @Test func sampleLimitFailsTheWholeScrape() async throws {
        let page = (0..<10).map { "s\($0) 1" }.joined(separator: "\n") + "\n"
        let (appender, target, metrics) = try await firstScrape(.text(page), "    sample_limit: 5")
        #expect(target?.lastError == "sample limit exceeded")
        #expect(target?.health == .down)
        let scrape = appender.scrapes[0]
        #expect(!scrape.contains { $0.labels.metricName.hasPrefix("s") && !$0.labels.metricName.hasPrefix("scrape") })
        #expect(appender.value("up", scrape: 0) == 0)
        #expect(appender.value("scrape_samples_scraped", scrape: 0) == 10)
        #expect(appender.value("scrape_samples_post_metric_relabeling", scrape: 0) == 10)
        #expect(appender.value("scrape_series_added", scrape: 0) == 5)
        #expect(metrics.value("llmwatch_target_scrapes_exceeded_sample_limit_total") ?? 0 >= 1)
    }

    @Test func sampleLimitCountsAfterMetricRelabeling() async throws {
        let page = (0..<10).map { "s\($0) 1" }.joined(separator: "\n") + "\n"
        let (appender, target, _) = try await firstScrape(
            .text(page),
            "    sample_limit: 5\n    metric_relabel_configs: [{source_labels: [__name__], regex: 's[0-5]', action: drop}]")
        #expect(target?.health == .up)
        #expect(appender.value("scrape_samples_scraped", scrape: 0) == 10)
        #expect(appender.value("scrape_samples_post_metric_relabeling", scrape: 0) == 4)
        #expect(Set(appender.scrapes[0].map(\.labels.metricName)).isSuperset(of: ["s6", "s7", "s8", "s9"]))
        #expect(!appender.scrapes[0].contains { $0.labels.metricName == "s0" })
    }

    static let labelLimits: [(String, String, String)] = [
        ("    label_limit: 3", "m{a=\"1\",b=\"2\"} 1\n",
         "label_limit exceeded (metric: m, number of labels: 6, limit: 3)"),
        ("    label_name_length_limit: 8", "m{abcdefghij=\"1\"} 1\n",
         "label_name_length_limit exceeded (metric: m, label name: abcdefghij, length: 10, limit: 8)"),
        ("    label_value_length_limit: 4", "m{a=\"toolong\"} 1\n",
         #"label_value_length_limit exceeded (metric: m, label name: a, value: "toolong", length: 7, limit: 4)"#),
    ]

    @Test(arguments: labelLimits)
    func labelLimitsFailTheScrape(_ limit: String, _ page: String, _ message: String) async throws {
        let (appender, target, metrics) = try await firstScrape(.text(page), limit)
        #expect(target?.lastError == message)
        #expect(appender.value("up", scrape: 0) == 0)
        #expect(metrics.value("llmwatch_target_scrape_pool_exceeded_label_limits_total") ?? 0 >= 1)
    }

    @Test func conflictingLabelsAreExported() async throws {
        let page = "m{job=\"scraped\",instance=\"i\",exported_job=\"taken\",env=\"dev\"} 1\n"
        let (appender, _, _) = try await firstScrape(.text(page), "")
        let sample = try #require(appender.scrapes[0].first { $0.labels.metricName == "m" })
        #expect(sample.labels["job"] == "exporter")
        #expect(sample.labels["env"] == "prod")
        #expect(sample.labels["exported_env"] == "dev")
        #expect(sample.labels["exported_instance"] == "i")
        #expect(sample.labels["exported_job"] == "taken")
        #expect(sample.labels["exported_exported_job"] == "scraped")
        #expect(sample.labels["instance"].hasPrefix("127.0.0.1:"))
    }

    @Test func honorLabelsKeepsTheScrapedOnes() async throws {
        let page = "m{job=\"scraped\",env=\"dev\"} 1\n"
        let (appender, _, _) = try await firstScrape(.text(page), "    honor_labels: true")
        let sample = try #require(appender.scrapes[0].first { $0.labels.metricName == "m" })
        #expect(sample.labels["job"] == "scraped")
        #expect(sample.labels["env"] == "dev")
        #expect(sample.labels["instance"].hasPrefix("127.0.0.1:"))
        #expect(!sample.labels.has("exported_job"))
        let up = try #require(appender.scrapes[0].first { $0.labels.metricName == "up" })
        #expect(up.labels["job"] == "exporter" && up.labels["env"] == "prod")
    }

    @Test func metricRelabelingDropsAndRewrites() async throws {
        let page = "go_gc 1\nhttp_requests_total{code=\"200\",path=\"/a\"} 5\nhttp_requests_total{code=\"500\",path=\"/a\"} 1\n"
        let (appender, _, _) = try await firstScrape(
            .text(page),
            """
                metric_relabel_configs:
                  - {source_labels: [__name__], regex: 'go_.*', action: drop}
                  - {source_labels: [code], regex: '(\\d)..', target_label: class, replacement: '${1}xx'}
                  - {regex: path, action: labeldrop}
            """)
        let stored = appender.scrapes[0].filter { !ScrapeLoopTests.reportNames.contains($0.labels.metricName) }
        #expect(stored.map(\.labels) == [
            labels(["__name__": "http_requests_total", "code": "200", "class": "2xx", "env": "prod", "job": "exporter", "instance": stored[0].labels["instance"]]),
            labels(["__name__": "http_requests_total", "code": "500", "class": "5xx", "env": "prod", "job": "exporter", "instance": stored[0].labels["instance"]]),
        ])
        #expect(appender.value("scrape_samples_scraped", scrape: 0) == 3)
        #expect(appender.value("scrape_samples_post_metric_relabeling", scrape: 0) == 2)
    }

    @Test func duplicateSeriesInOneScrapeAreCounted() async throws {
        let page = "a 1\na 2\nb{x=\"1\",y=\"2\"} 3\nb{y=\"2\",x=\"1\"} 4\n"
        let (appender, target, metrics) = try await firstScrape(.text(page), "")
        #expect(target?.health == .up)
        let a = appender.scrapes[0].filter { $0.labels.metricName == "a" }
        let b = appender.scrapes[0].filter { $0.labels.metricName == "b" }
        #expect(a.map(\.sample.value) == [1])
        #expect(b.map(\.sample.value) == [3])
        #expect(appender.value("scrape_samples_post_metric_relabeling", scrape: 0) == 4)
        #expect(metrics.value("llmwatch_target_scrapes_sample_duplicate_timestamp_total") ?? 0 >= 2)
    }

    @Test func targetLimit() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let yaml = """
                scrape_configs:
                  - job_name: many
                    scrape_interval: 2s
                    target_limit: 1
                    static_configs: [{targets: ['\(exporter.address)', 'localhost:\(exporter.address.split(separator: ":")[1])']}]
                """
            let appender = MemoryAppender()
            try await withScraping(yaml, into: appender) { manager in
                try await waitUntil("two scrapes") { appender.scrapes.count >= 2 }
                #expect(manager.activeTargets.count == 2)
                #expect(manager.activeTargets.allSatisfy { $0.lastError == "target_limit exceeded (number of targets: 2, limit: 1)" })
                #expect(manager.metrics.value("llmwatch_target_scrape_pool_exceeded_target_limit_total") == 1)
            }
            #expect(exporter.requests(to: "/metrics").isEmpty)
        }
    }
}
