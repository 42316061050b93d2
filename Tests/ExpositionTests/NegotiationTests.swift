import Testing

import Exposition

@Suite("Content negotiation")
struct NegotiationTests {
    static let cases: [(accept: String?, expected: ExpositionFormat)] = [
        (nil, .text004),
        ("", .text004),
        ("*/*", .text004),
        ("text/plain", .text004),
        ("text/plain;version=0.0.4", .text004),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        // What Prometheus 2.x and 3.x send by default.
        (
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics
        ),
        ("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5", .text004),
        ("application/openmetrics-text;q=0", .text004),
        ("application/openmetrics-text;version=2.0.0", .text004),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", .text004),
        ("garbage;;;=,,", .text004),
    ]

    @Test(arguments: cases)
    func negotiates(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test func contentTypes() {
        #expect(ExpositionFormat.text004.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics.contentType
                == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }
}
