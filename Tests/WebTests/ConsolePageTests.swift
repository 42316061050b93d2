import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import PromQL
import Series
import Testing

@testable import Charts
@testable import Web

/// The web page's HTML and charts: escaped, well formed, and showing what it is given.
struct ConsolePageTests {
    static func series(_ labels: [String: String], _ values: [(Int64, Double)]) -> MatrixSeries {
        MatrixSeries(labels: Labels(labels), samples: values.map { Sample(timestamp: $0.0, value: $0.1) })
    }

    /// Whether `text` parses as XML (the SVG must, or browsers draw nothing).
    static func isWellFormedXML(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    @Test func chartsAreWellFormedAndBreakAtGaps() {
        let line = Self.series(["model": "a<b>"], [(0, 1), (60_000, 2), (120_000, .nan), (180_000, 3), (900_000, 4)])
        let chart = SVGChart(title: "p95 & more", series: [line], unit: "s", threshold: (2.5, "SLA target"))
        let svg = chart.render()
        #expect(Self.isWellFormedXML(svg), "\(svg)")
        #expect(svg.contains("p95 &amp; more"))
        #expect(svg.contains("a&lt;b&gt;"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1, "one run of two points; the rest are lone points")
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
        #expect(svg.contains("class=\"threshold\""))
        #expect(SVGChart.segments(line.samples).map(\.count) == [2, 1, 1])
    }

    @Test func anEmptyChartSaysSo() {
        let svg = SVGChart(title: "cost", series: []).render()
        #expect(Self.isWellFormedXML(svg))
        #expect(svg.contains("no data"))
    }

    @Test(arguments: [(0.0, 1.0, 0.0, 1.0), (0.0, 0.93, 0.0, 1.0), (0.12, 7.0, 0.0, 7.5), (-3.0, 14.0, -5.0, 15.0)])
    func axisBoundsAreRound(low: Double, high: Double, niceLow: Double, niceHigh: Double) {
        let (a, b) = SVGChart.niceBounds(low, high)
        #expect(a == niceLow && b == niceHigh, "\(a)...\(b)")
    }

    @Test func thePageShowsAlertsEscapedAndSaysWhatIsMissing() {
        var model = ConsoleModel(time: 1_796_000_000_000, chartRange: 3_600_000, version: "0.1.0")
        model.alerts = [
            .init(
                name: "LLMHighLatency", labels: Labels(["alertname": "LLMHighLatency", "model": "gpt<4>"]),
                annotations: Labels(["summary": "p95 is 3.2s > 2s", "runbook_url": "docs/runbooks/LLMHighLatency.md"]),
                state: "firing", activeAt: 1_795_999_000_000, value: 3.2)
        ]
        let html = ConsolePage.render(model)
        #expect(html.contains("LLMHighLatency"))
        #expect(html.contains("gpt&lt;4&gt;"))
        #expect(html.contains("p95 is 3.2s &gt; 2s"))
        #expect(html.contains("1 firing"))
        #expect(html.contains("No SLOs are configured"))
        #expect(html.contains("alerts go to the log and to this page"))
        #expect(!html.contains("<script"))
        let only = ConsolePage.render(model, sections: [.targets])
        #expect(!only.contains("LLMHighLatency</td>"))
        #expect(only.contains("No scrape targets are configured."))
    }

    @Test func numbersAreReadable() {
        #expect(HTML.number(0.000123) == "123µ")
        #expect(HTML.number(1234.6) == "1.235k")
        #expect(HTML.number(2) == "2")
        #expect(HTML.percent(0.99951) == "99.95%")
        #expect(HTML.duration(seconds: 0.85) == "850ms")
        #expect(HTML.time(0) == "1970-01-01 00:00:00 UTC")
    }
}
