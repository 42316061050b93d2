import Config
import Foundation
import PrometheusConfig
import Series
import Testing

@testable import Scrape

/// The CPU part of a scrape on its own, page by page: what is stored, what goes stale, and that
/// the series cache stays right through churn.
struct ScrapeProcessorTests {
    func processor(_ extra: String = "") throws -> ScrapeProcessor {
        let config = try scrapeConfigs("scrape_configs:\n  - job_name: j\n" + extra)[0]
        return ScrapeProcessor(settings: .init(config: config, targetLabels: labels(["job": "j", "instance": "i:1"])))
    }

    func names(_ samples: [LabeledSample], stale: Bool) -> [String] {
        samples.filter { $0.sample.isStaleMarker == stale }.map { $0.labels.metricName + $0.labels.removing(["__name__", "job", "instance"]).description }
    }

    @Test func pagesInSequence() throws {
        var processor = try processor()
        let pages: [(String, [String], [String], Int)] = [
            ("a 1\nb{x=\"1\"} 2\n", ["a{}", "b{x=\"1\"}"], [], 2),
            ("a 1\nb{x=\"1\"} 2\n", ["a{}", "b{x=\"1\"}"], [], 0),
            ("a 1\nb{x=\"2\"} 2\n", ["a{}", "b{x=\"2\"}"], ["b{x=\"1\"}"], 1),
            ("", [], ["a{}", "b{x=\"2\"}"], 0),
            ("a 3\n", ["a{}"], [], 1),
            ("a 3\nc 4\nd 5\n", ["a{}", "c{}", "d{}"], [], 2),
            ("d 5\n", ["d{}"], ["a{}", "c{}"], 0),
            ("a 3\nc 4\nd 5\n", ["a{}", "c{}", "d{}"], [], 2),
        ]
        for (index, (page, stored, stale, added)) in pages.enumerated() {
            let outcome = processor.process(Array(page.utf8), contentType: nil, timestamp: Int64(index) * 1000)
            #expect(outcome.failure == nil)
            #expect(names(processor.pending, stale: false) == stored, "page \(index)")
            #expect(names(processor.pending, stale: true).sorted() == stale.sorted(), "page \(index)")
            #expect(outcome.seriesAdded == added, "page \(index)")
            #expect(processor.pending.allSatisfy { $0.sample.timestamp == Int64(index) * 1000 })
        }
    }

    @Test func churnKeepsTheCacheSmall() throws {
        var processor = try processor()
        for round in 0..<50 {
            let page = (0..<100).map { "m{round=\"\(round)\",i=\"\($0)\"} 1" }.joined(separator: "\n") + "\n"
            let outcome = processor.process(Array(page.utf8), contentType: nil, timestamp: Int64(round))
            #expect(outcome.seriesAdded == 100)
            #expect(names(processor.pending, stale: true).count == (round == 0 ? 0 : 100))
            #expect(processor.cache.count == 100)
        }
    }

    @Test func failedScrapesThenRecovery() throws {
        var processor = try processor()
        _ = processor.process(Array("a 1\nb 2\n".utf8), contentType: nil, timestamp: 1)
        processor.failed(timestamp: 2)
        #expect(names(processor.pending, stale: true).sorted() == ["a{}", "b{}"])
        processor.failed(timestamp: 3)
        #expect(processor.pending.isEmpty)
        let back = processor.process(Array("a 1\n".utf8), contentType: nil, timestamp: 4)
        #expect(names(processor.pending, stale: true).isEmpty)
        #expect(back.seriesAdded == 0, "the line is still cached")
        processor.endOfRun(timestamp: 5)
        #expect(names(processor.pending, stale: true).sorted() == (["a{}"] + ScrapeLoopTests.reportNames.map { "\($0){}" }).sorted())
    }

    @Test func contentTypes() throws {
        let processor = try processor()
        #expect(processor.format(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(processor.format(contentType: "Application/OpenMetrics-Text") == .openMetrics)
        #expect(processor.format(contentType: "text/plain; version=0.0.4") == .text004)
        #expect(processor.format(contentType: "application/json") == .text004)
        #expect(processor.format(contentType: nil) == .text004)
        let fallback = try self.processor("    fallback_scrape_protocol: OpenMetricsText1.0.0\n")
        #expect(fallback.format(contentType: nil) == .openMetrics)
        #expect(fallback.format(contentType: "text/plain") == .text004)
    }

    @Test func explicitTimestampsAreNotTrackedForStaleness() throws {
        var processor = try processor()
        _ = processor.process(Array("a 1 1000\nb 2\n".utf8), contentType: nil, timestamp: 5000)
        _ = processor.process(Array("c 1\n".utf8), contentType: nil, timestamp: 6000)
        #expect(names(processor.pending, stale: true) == ["b{}"])
        var tracking = try self.processor("    track_timestamps_staleness: true\n")
        _ = tracking.process(Array("a 1 1000\nb 2\n".utf8), contentType: nil, timestamp: 5000)
        _ = tracking.process(Array("c 1\n".utf8), contentType: nil, timestamp: 6000)
        #expect(names(tracking.pending, stale: true).sorted() == ["a{}", "b{}"])
    }

    @Test func samplesTooFarAheadAreOutOfBounds() throws {
        var processor = try processor()
        let outcome = processor.process(Array("a 1 99999999999\nb 2\n".utf8), contentType: nil, timestamp: 1000)
        #expect(outcome.outOfBounds == 1)
        #expect(names(processor.pending, stale: false) == ["b{}"])
        #expect(outcome.added == 2)
    }

    @Test func metricRelabelingToNoNameFails() throws {
        var processor = try processor("    metric_relabel_configs: [{regex: __name__, action: labeldrop}]\n")
        let outcome = processor.process(Array("a{x=\"1\"} 1\n".utf8), contentType: nil, timestamp: 1)
        #expect(outcome.failure?.message == "missing metric name (__name__ label)")
    }

    /// Thousands of randomly damaged pages, read as either format: every one gives an outcome
    /// (stored or refused), none traps, and the cache stays bounded.
    @Test func damagedPagesNeverTrap() throws {
        var processor = try processor()
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func random() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let base = Array((llamaPage + "# TYPE h histogram\nh_bucket{le=\"1\",x=\"a\\\"b\"} 1 1700000000000\n# EOF\n").utf8)
        let interesting: [UInt8] = Array("{}=\",# \n\\\t.eE+-0123456789abcNaInf\u{00}\u{ff}".utf8)
        var failures = 0
        for round in 0..<3000 {
            var page = base
            for _ in 0..<(1 + random() % 6) {
                let index = Int(random() % UInt64(page.count))
                let byte = interesting[Int(random() % UInt64(interesting.count))]
                switch random() % 3 {
                case 0: page[index] = byte
                case 1: page.remove(at: index)
                default: page.insert(byte, at: index)
                }
            }
            let contentType = round % 2 == 0 ? "text/plain" : "application/openmetrics-text"
            let outcome = processor.process(page, contentType: contentType, timestamp: Int64(round) * 1000)
            if outcome.failure != nil {
                failures += 1
                #expect(outcome.failure?.kind == .parse)
            }
            #expect(processor.cache.count < 2000)
        }
        #expect(failures > 500 && failures < 3000)
    }

    @Test func goSecondsFormatting() {
        #expect(TargetLoop.seconds(PromDuration(milliseconds: 10_000)!) == "10")
        #expect(TargetLoop.seconds(PromDuration(milliseconds: 500)!) == "0.5")
        #expect(TargetLoop.seconds(PromDuration(milliseconds: 1250)!) == "1.25")
        #expect(TargetLoop.seconds(PromDuration(milliseconds: 1)!) == "0.001")
    }
}
