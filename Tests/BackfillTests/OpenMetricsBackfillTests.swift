import Backfill
import Foundation
import Series
import TSDB
import TestSupport
import Testing

/// OpenMetrics files backfilled into a real store: what is kept, what is refused and why, and
/// that a malformed file writes nothing.
@Suite("OpenMetrics backfill")
struct OpenMetricsBackfillTests {
    static let file = """
        # HELP http_requests Requests served.
        # TYPE http_requests counter
        http_requests_total{code="200",job="api"} 1 1700000000
        http_requests_total{code="500",job="api"} 0 1700000000.5
        http_requests_total{code="200",job="api"} 5 1700000015
        http_requests_total{code="500",job="api"} 2 1700000015.5
        http_requests_total{code="200",job="api"} 9 1700000030.25 # {trace_id="abc"} 1 1700000030
        # TYPE latency histogram
        latency_bucket{le="0.5"} 3 1700000000
        latency_bucket{le="+Inf"} 4 1700000000
        latency_sum 1.25 1700000000
        latency_count 4 1700000000
        # TYPE temperature gauge
        # UNIT temperature celsius
        temperature{room="a \\"b\\""} 21.5 1700000000
        temperature{room="a \\"b\\""} NaN 1700000015
        # EOF

        """

    @Test(arguments: [1, 3, 50_000])
    func importsEverySampleInBatches(batchSize: Int) throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        let report = try OpenMetricsBackfill.run(Array(Self.file.utf8), file: "f.om", into: db, batchSize: batchSize)
        #expect(report.samplesRead == 11)
        #expect(report.series == 7)
        #expect(report.appended == 11)
        #expect(report.rejectedTotal == 0)
        #expect(report.minTime == 1_700_000_000_000)
        #expect(report.maxTime == 1_700_000_030_250)
        let matcher = try LabelMatcher(name: "__name__", type: .equal, value: "http_requests_total")
        let code = try LabelMatcher(name: "code", type: .equal, value: "200")
        let found = try db.select(matchers: [matcher, code], minTime: .min, maxTime: .max)
        #expect(found.map(\.labels) == [Labels(["__name__": "http_requests_total", "code": "200", "job": "api"])])
        var iterator = found[0].makeIterator()
        var samples: [Sample] = []
        while let sample = try iterator.next() { samples.append(sample) }
        #expect(samples.map(\.timestamp) == [1_700_000_000_000, 1_700_000_015_000, 1_700_000_030_250])
        #expect(samples.map(\.value) == [1, 5, 9])
        let room = try db.select(
            matchers: [LabelMatcher(name: "room", type: .equal, value: "a \"b\"")], minTime: .min, maxTime: .max)
        #expect(room.count == 1)
        #expect(db.labelValues("le") == ["+Inf", "0.5"])
    }

    /// What the store refuses is counted, and the file's own disorder is named by line.
    @Test func countsAndNamesRefusedSamples() throws {
        let text = """
            # TYPE g gauge
            g 1 1700000010
            g 2 1700000005
            g 3 1700000010
            g 1 1700000010
            g 4 1700000020
            # EOF

            """
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        let report = try OpenMetricsBackfill.run(Array(text.utf8), file: "g.om", into: db)
        #expect(report.samplesRead == 5)
        #expect(report.appended == 2)
        #expect(report.ignoredDuplicates == 1)
        #expect(report.rejected == [.outOfOrderSample: 1, .duplicateSampleForTimestamp: 1])
        #expect(report.rejectedExamples.count == 2)
        #expect(report.rejectedExamples[0].hasPrefix("g.om:3: "))
        #expect(report.rejectedExamples[0].hasSuffix("out of order sample"))
        #expect(report.rejectedExamples[1].hasPrefix("g.om:4: "))
        #expect(report.rejectedExamples[1].hasSuffix("duplicate sample for timestamp"))
    }

    static let malformed: [(String, Int, String)] = [
        ("g 1 1700000000\n", 1, "expected # EOF"),
        ("# TYPE g gauge\ng 1\n# EOF\n", 2, "expected a timestamp for series g"),
        ("g 1 1700000000\ng{a=\"1\" 2 1700000001\n# EOF\n", 2, "after label value"),
        ("g 1 1700000000\n# EOF\ng 2 1700000001\n", 3, "after # EOF"),
    ]

    /// A bad file is reported by line and nothing of it is written, not even its good lines.
    @Test(arguments: malformed)
    func malformedFileWritesNothing(text: String, line: Int, message: String) throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        do {
            _ = try OpenMetricsBackfill.run(Array(text.utf8), file: "bad.om", into: db)
            Issue.record("no error for \(text)")
        } catch {
            guard case .parse(let file, let errorLine, let errorMessage) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "bad.om")
            #expect(errorLine == line, "\(error)")
            #expect(errorMessage.contains(message), "\(error)")
            #expect(error.description.hasPrefix("bad.om:\(line): "))
        }
        #expect(db.stats.series == 0)
    }
}
