import Foundation
import TestSupport
import Testing

/// The issue's main test: the same history backfilled into a real Prometheus 2.42 (with
/// `promtool tsdb create-blocks-from openmetrics`) and into llmwatch (`llmwatch tsdb import
/// openmetrics`), then the same queries through both HTTP APIs must give the same result type,
/// the same series and the same values (within Prometheus's tolerance). Differences are allowed
/// only where `DifferentialAllowList` names the query and why.
@Suite("Query API differential against prometheus", .serialized)
struct QueryAPIDifferentialTests {
    @Test(.enabled(if: Programs.isInstalled("prometheus") && Programs.isInstalled("promtool")))
    func sameAnswersAsPrometheus() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = DifferentialData()
        let file = directory.appendingPathComponent("history.om")
        try data.openMetrics.write(to: file, atomically: true, encoding: .utf8)
        let prometheusData = directory.appendingPathComponent("prometheus").path
        let llmwatchData = directory.appendingPathComponent("llmwatch").path

        let blocks = try await runProgram(
            try Programs.installed("promtool"),
            ["tsdb", "create-blocks-from", "openmetrics", file.path, prometheusData])
        try #require(blocks.status == 0, "promtool: \(blocks.output)")
        let imported = try await runProgram(
            try Programs.llmwatch, ["tsdb", "import", "openmetrics", file.path, "--storage.path", llmwatchData])
        try #require(imported.status == 0, "llmwatch tsdb import: \(imported.output)")
        #expect(imported.output.contains("of \(data.seriesCount) series"), "\(imported.output)")

        // Every block of the history is kept, however old.
        let prometheus = try await RunningPrometheus.start(
            config: "global:\n  evaluation_interval: 1m\nscrape_configs: []\n",
            flags: ["--storage.tsdb.retention.time=100y"], dataDirectory: URL(fileURLWithPath: prometheusData))
        let llmwatch: RunningEvaluator
        do {
            llmwatch = try await RunningEvaluator.start(storage: llmwatchData)
        } catch {
            await prometheus.stop()
            throw error
        }
        var equal = 0
        var allowed: [String] = []
        var unexpected: [String] = []
        do {
            let queries = DifferentialQueries.all
            // Over a thousand queries keep both servers busy: one heavy job at a time (HeavyWork).
            try await HeavyWork.limited {
            for query in queries {
                let parameters = formEncode(query.parameters)
                let ours = try await HTTP.get(llmwatch.baseURL + query.path + "?" + parameters)
                let theirs = try await HTTP.get(
                    prometheus.baseURL + query.path + "?" + parameters, headers: [("Accept-Encoding", "identity")])
                if let difference = APIComparison.difference(ours.body, theirs.body, ordered: query.ordered) {
                    if let reason = DifferentialAllowList.reason(for: query.expression) {
                        allowed.append("\(query): \(difference) [allowed: \(reason)]")
                    } else {
                        unexpected.append("\(query): \(difference)")
                    }
                } else {
                    equal += 1
                }
            }
            }
            for (path, ordered) in Self.metadataQueries {
                let ours = try await HTTP.get(llmwatch.baseURL + path)
                let theirs = try await HTTP.get(prometheus.baseURL + path, headers: [("Accept-Encoding", "identity")])
                if let difference = Self.listDifference(ours.body, theirs.body, ordered: ordered) {
                    unexpected.append("\(path): \(difference)")
                } else {
                    equal += 1
                }
            }
            let total = queries.count + Self.metadataQueries.count
            print(
                "differential: \(total) queries, \(equal) equal, \(allowed.count + unexpected.count) differ (\(allowed.count) allowed)"
            )
            for line in allowed { print("  allowed: \(line)") }
            for line in unexpected.prefix(100) { print("  DIFFERS: \(line)") }
        } catch {
            await llmwatch.stop()
            await prometheus.stop()
            throw error
        }
        await llmwatch.stop()
        await prometheus.stop()
        #expect(unexpected.isEmpty, "\(unexpected.count) unexpected differences; first: \(unexpected.prefix(5))")
    }

    /// Series and label endpoints, with whether the answer's order matters (label lists are sorted).
    static let metadataQueries: [(String, Bool)] = [
        ("/api/v1/series?" + formEncode([("match[]", "up")]), false),
        ("/api/v1/series?" + formEncode([("match[]", #"{__name__=~"http.*"}"#), ("match[]", "up")]), false),
        ("/api/v1/series?" + formEncode([("match[]", #"http_requests_total{code="500"}"#)]), false),
        ("/api/v1/series?" + formEncode([("match[]", #"{job="api",__name__!="up"}"#)]), false),
        ("/api/v1/labels", true),
        ("/api/v1/labels?" + formEncode([("match[]", "up")]), true),
        ("/api/v1/labels?" + formEncode([("match[]", "request_duration_seconds_bucket")]), true),
        ("/api/v1/label/__name__/values", true),
        ("/api/v1/label/job/values", true),
        ("/api/v1/label/le/values", true),
        ("/api/v1/label/instance/values?" + formEncode([("match[]", "queue_depth")]), true),
        ("/api/v1/label/nonexistent/values", true),
    ]

    /// Compares `data` lists (strings or label sets), in order or as sets.
    static func listDifference(_ ours: String, _ theirs: String, ordered: Bool) -> String? {
        func items(_ body: String) -> [String]? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                object["status"] as? String == "success", let data = object["data"] as? [Any]
            else { return nil }
            return data.map { item in
                if let text = item as? String { return text }
                let labels = item as? [String: String] ?? [:]
                return labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
            }
        }
        guard let a = items(ours), let b = items(theirs) else {
            return "not both lists: \(ours.prefix(200)) | \(theirs.prefix(200))"
        }
        if ordered ? a == b : a.sorted() == b.sorted() { return nil }
        return "llmwatch \(a.prefix(20)) vs prometheus \(b.prefix(20))"
    }
}
