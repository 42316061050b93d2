import Foundation
import Series
import Testing

@testable import Notifier

/// Our payloads against what Prometheus 2.42 and Alertmanager 0.25 really sent.
struct PayloadTests {
    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    static func json(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes))
    }

    /// The alert of the fixtures, rebuilt as llmwatch would hold it.
    static func alert(summary: String, endsAt: Int64) -> PostableAlert {
        PostableAlert(
            labels: Labels([
                "alertname": "LLMErrorRateHigh", "job": "llm_exporter", "severity": "page", "status": "error",
            ]),
            annotations: Labels(["summary": summary]),
            startsAt: 1_795_358_758_586, endsAt: endsAt,
            generatorURL:
                "http://vm:19090/graph?g0.expr=llm%3Arequests%3Arate5s%7Bstatus%3D%22error%22%7D+%3E+1&g0.tab=1")
    }

    static let firing = alert(summary: "LLM error rate 5.726249999999999 req/s on llm_exporter", endsAt: 1_795_358_998_586)
    static let resolved = alert(summary: "LLM error rate 2.75 req/s on llm_exporter", endsAt: 1_795_358_763_586)

    @Test(arguments: [
        ("prom-to-am-v2-alerts-firing.json", firing), ("prom-to-am-v2-alerts-resolved.json", resolved),
    ])
    func alertmanagerBodyIsWhatPrometheusPosts(file: String, alert: PostableAlert) throws {
        let expected = try #require(Self.fixture(file)["body"] as? NSArray)
        let ours = try #require(try Self.json(AlertmanagerPayload.encode([alert])) as? NSArray)
        #expect(ours == expected)
    }

    @Test func fingerprintIsAlertmanagers() throws {
        let body = try #require(Self.fixture("am-webhook-firing.json")["body"] as? [String: Any])
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(Fingerprint.text(Self.firing.fingerprint) == alerts[0]["fingerprint"] as? String)
    }

    @Test(arguments: [
        ("am-webhook-firing.json", firing, Int64(1_795_358_758_590)),
        ("am-webhook-resolved.json", resolved, Int64(1_795_358_763_590)),
    ])
    func webhookBodyIsWhatAlertmanagerPosts(file: String, alert: PostableAlert, time: Int64) throws {
        let expected = try #require(Self.fixture(file)["body"] as? NSDictionary)
        let payload = WebhookPayload(
            receiver: "sink", groupLabels: Labels(["alertname": "LLMErrorRateHigh"]), alerts: [alert], time: time,
            externalURL: "http://vm:19093")
        let ours = try #require(try Self.json(payload.encode()) as? NSDictionary)
        #expect(ours == expected)
    }

    @Test(arguments: [
        (Int64(1_795_358_758_586), "2026-11-22T14:45:58.586Z"),
        (Int64(1_795_358_758_500), "2026-11-22T14:45:58.5Z"),
        (Int64(1_795_358_758_000), "2026-11-22T14:45:58Z"),
        (Int64(0), "1970-01-01T00:00:00Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(4_102_444_800_000), "2100-01-01T00:00:00Z"),
    ])
    func timesAreWrittenAsGoWritesThem(milliseconds: Int64, text: String) {
        #expect(GoTime.rfc3339(milliseconds: milliseconds) == text)
    }

    @Test func stringsAreEscapedAsGoEscapesThem() throws {
        var json = JSONText()
        json.string("a\"b\\c\nd<e>&\u{1}/é")
        #expect(json.text == #""a\"b\\c\nd\u003ce\u003e\u0026\u0001/é""#)
        #expect(try JSONSerialization.jsonObject(with: Data(json.text.utf8), options: .fragmentsAllowed) as? String
            == "a\"b\\c\nd<e>&\u{1}/é")
    }
}
