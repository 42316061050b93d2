import Foundation
import Hummingbird
import Series
import TSDB
import TestSupport
import Testing
import Web

/// The query API over real HTTP: Prometheus's envelopes, result shapes, error types and status
/// codes, for GET and form POST.
@Suite("Query API over HTTP")
struct PrometheusAPIHTTPTests {
    /// One request and what Prometheus answers to it.
    struct Case: Sendable, CustomStringConvertible {
        var method = "GET"
        var path: String
        var body: String?
        var status: Int
        /// The whole body expected, or nil to check `contains` only.
        var exact: String?
        var contains: [String] = []
        var description: String { "\(method) \(path) \(body ?? "")" }
    }

    static let cases: [Case] = [
        Case(
            path: "/api/v1/query?query=up&time=1010", status: 200,
            exact:
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[1010,"1"]},{"metric":{"__name__":"up","instance":"y","job":"a"},"value":[1010,"0"]}]}}"#
        ),
        Case(
            method: "POST", path: "/api/v1/query", body: "query=up%7Binstance%3D%22x%22%7D&time=1010.5", status: 200,
            exact:
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[1010.500,"1"]}]}}"#
        ),
        Case(
            path: "/api/v1/query?query=1%2B1&time=1", status: 200,
            exact: #"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#),
        Case(
            path: "/api/v1/query?query=%22hi%22&time=1", status: 200,
            exact: #"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#),
        Case(
            path: "/api/v1/query?query=up%7Binstance%3D%22x%22%7D%5B15s%5D&time=1020", status: 200,
            exact:
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"values":[[1010,"1"],[1020,"1"]]}]}}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up%7Binstance%3D%22y%22%7D&start=1000&end=1020&step=10", status: 200,
            exact:
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"y","job":"a"},"values":[[1000,"0"],[1010,"0"],[1020,"0"]]}]}}"#
        ),
        Case(
            path: "/api/v1/query?query=up&time=1010&limit=1", status: 200,
            exact:
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[1010,"1"]}]},"warnings":["results truncated due to limit"]}"#
        ),
        Case(
            path: "/api/v1/query?query=", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error: no expression found in input"}"#
        ),
        Case(
            path: "/api/v1/query?query=up&time=soon", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": Invalid time value for 'time': cannot parse \"soon\" to a valid timestamp"}"#
        ),
        Case(
            path: "/api/v1/query?query=up&timeout=never", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"never\" to a valid duration"}"#
        ),
        Case(
            path: "/api/v1/query?query=up&lookback_delta=bad", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"error parsing lookback delta duration: cannot parse \"bad\" to a valid duration"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up&end=10&step=1", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up&start=10&end=1&step=1", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up&start=1&end=10&step=0", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up&start=0&end=11001&step=1", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=up&start=0&end=11000&step=1", status: 200,
            contains: [#""resultType":"matrix""#]),
        Case(
            path: "/api/v1/query_range?query=up%5B5m%5D&start=1&end=10&step=1", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}"#
        ),
        Case(
            path: "/api/v1/query_range?query=sum(&start=1&end=10&step=1", status: 400,
            contains: [#""errorType":"bad_data","error":"1:5: parse error:"#]),
        Case(
            path: "/api/v1/query?query=label_replace(up,%22instance%22,%22%22,%22instance%22,%22.*%22)&time=1010",
            status: 422,
            exact:
                #"{"status":"error","errorType":"execution","error":"vector cannot contain metrics with the same labelset"}"#
        ),
        Case(
            path: "/api/v1/query?query=up&time=1010&timeout=0", status: 503,
            exact: #"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#),
        Case(
            path: "/api/v1/query?query=up&time=1010&stats=true", status: 200,
            contains: [
                #""stats":{"timings":{"evalTotalTime":"#, #""samples":{"totalQueryableSamples":2,"peakSamples":2}"#,
            ]),
        Case(
            path: "/api/v1/query_range?query=up&start=1000&end=1010&step=10&stats=all", status: 200,
            contains: [#""totalQueryableSamplesPerStep":[[1000,2],[1010,2]],"totalQueryableSamples":4"#]),
        Case(
            path: "/api/v1/series?match%5B%5D=up%7Binstance%3D%22y%22%7D", status: 200,
            exact: #"{"status":"success","data":[{"__name__":"up","instance":"y","job":"a"}]}"#),
        Case(
            method: "POST", path: "/api/v1/series", body: "match[]=up&match[]=up%7Binstance%3D%22x%22%7D&limit=1",
            status: 200,
            exact:
                #"{"status":"success","data":[{"__name__":"up","instance":"x","job":"a"}],"warnings":["results truncated due to limit"]}"#
        ),
        Case(path: "/api/v1/series?match%5B%5D=up&start=5000", status: 200, exact: #"{"status":"success","data":[]}"#),
        Case(
            path: "/api/v1/series", status: 400,
            exact: #"{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}"#),
        Case(
            path: "/api/v1/series?match%5B%5D=%7Bjob%3D%22%22%7D", status: 400,
            exact:
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"}"#
        ),
        Case(
            path: "/api/v1/labels", status: 200,
            exact: #"{"status":"success","data":["__name__","instance","job","le"]}"#),
        Case(
            path: "/api/v1/labels?match%5B%5D=up", status: 200,
            exact: #"{"status":"success","data":["__name__","instance","job"]}"#),
        Case(
            path: "/api/v1/label/__name__/values", status: 200,
            exact: #"{"status":"success","data":["latency_bucket","up"]}"#),
        Case(
            path: "/api/v1/label/instance/values?limit=1", status: 200,
            exact: #"{"status":"success","data":["x"],"warnings":["results truncated due to limit"]}"#),
        Case(
            path: "/api/v1/label/le/values?match%5B%5D=latency_bucket", status: 200,
            exact: #"{"status":"success","data":["+Inf","0.5"]}"#),
        Case(path: "/api/v1/query_exemplars?query=1", status: 204, exact: ""),
        Case(path: "/api/v1/query_exemplars?query=up", status: 200, exact: #"{"status":"success","data":[]}"#),
        Case(path: "/api/v1/metadata", status: 200, exact: #"{"status":"success","data":{}}"#),
        Case(
            path: "/api/v1/format_query?query=sum(rate(x%5B5m%5D))by(job)", status: 200,
            exact: #"{"status":"success","data":"sum by (job) (rate(x[5m]))"}"#),
        Case(
            path: "/api/v1/status/buildinfo", status: 200,
            exact:
                #"{"status":"success","data":{"version":"9.9.9","revision":"","branch":"","buildUser":"","buildDate":"","goVersion":"swift6.3"}}"#
        ),
        Case(
            path: "/api/v1/status/flags", status: 200, exact: #"{"status":"success","data":{"storage.path":"data/"}}"#),
        Case(path: "/api/v1/status/runtimeinfo", status: 200, contains: [#""storageRetention":"15d""#, #""CWD":"#]),
        Case(
            path: "/api/v1/status/tsdb?limit=1", status: 200,
            contains: [
                #""headStats":{"numSeries":4,"numLabelPairs":7,"chunkCount":4,"minTime":1000000,"maxTime":1020000}"#,
                #""seriesCountByMetricName":[{"name":"latency_bucket","value":2}]"#,
            ]),
        Case(
            path: "/api/v1/status/tsdb?limit=0", status: 400,
            exact: #"{"status":"error","errorType":"bad_data","error":"limit must be a positive number"}"#),
    ]

    @Test func answersAsPrometheus() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        try db.append(Self.samples())
        var options = PrometheusAPI.Options()
        options.buildInfo = .init(version: "9.9.9", goVersion: "swift6.3")
        options.flags = ["storage.path": "data/"]
        options.storageRetention = "15d"
        let api = PrometheusAPI(db: db, options: options)
        try await LocalServer.with({ PrometheusAPIRoutes(api: api).register(on: $0) }) { port in
            for item in Self.cases {
                let url = "http://127.0.0.1:\(port)\(item.path)"
                let reply: HTTP.Reply
                if item.method == "POST" {
                    reply = try await HTTP.post(
                        url, body: item.body, headers: [("Content-Type", "application/x-www-form-urlencoded")])
                } else {
                    reply = try await HTTP.get(url)
                }
                #expect(reply.status == item.status, "\(item): \(reply.body)")
                if let exact = item.exact, !exact.isEmpty || item.status == 204 {
                    #expect(reply.body == exact, "\(item)")
                }
                for part in item.contains { #expect(reply.body.contains(part), "\(item): \(reply.body)") }
                if item.status != 204 { #expect(reply.contentType == "application/json", "\(item)") }
                #expect(reply.header("Access-Control-Allow-Origin") == nil, "no Origin, no CORS: \(item)")
            }
        }
    }

    /// Prometheus's `SetCORS`: CORS headers only on requests with an `Origin`, for answers,
    /// errors and preflights alike.
    @Test func corsHeadersAnswerAnOrigin() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        let api = PrometheusAPI(db: db)
        try await LocalServer.with({ PrometheusAPIRoutes(api: api).register(on: $0) }) { port in
            let origin = [("Origin", "http://grafana.example:3000")]
            for path in ["/api/v1/query?query=1&time=1", "/api/v1/query?query=", "/api/v1/status/buildinfo"] {
                let reply = try await HTTP.get("http://127.0.0.1:\(port)\(path)", headers: origin)
                #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(path)")
                #expect(reply.header("Access-Control-Allow-Headers") == "Accept, Authorization, Content-Type, Origin")
                #expect(reply.header("Access-Control-Expose-Headers") == "Date")
                #expect(reply.header("Vary") == "Origin")
            }
            let url = "http://127.0.0.1:\(port)/api/v1/query"
            let preflight = try await HTTP.send(url, method: .OPTIONS, headers: origin)
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
            #expect(preflight.header("Access-Control-Allow-Origin") == "*")
            let bare = try await HTTP.send(url, method: .OPTIONS)
            #expect(bare.status == 204)
            #expect(bare.header("Access-Control-Allow-Methods") == nil)
        }
    }

    @Test func tooManySamplesIsAnExecutionError() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        try db.append(Self.samples())
        var options = PrometheusAPI.Options()
        options.maxSamples = 1
        let api = PrometheusAPI(db: db, options: options)
        try await LocalServer.with({ PrometheusAPIRoutes(api: api).register(on: $0) }) { port in
            let reply = try await HTTP.get("http://127.0.0.1:\(port)/api/v1/query?query=up&time=1010")
            #expect(reply.status == 422)
            #expect(
                reply.body
                    == #"{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}"#
            )
        }
    }

    /// `up` for two instances and a two-bucket histogram, every 10 s from 1000 s to 1020 s.
    static func samples() -> [LabeledSample] {
        var samples: [LabeledSample] = []
        for t in stride(from: Int64(1_000_000), through: 1_020_000, by: 10_000) {
            samples.append(
                LabeledSample(labels: Labels(["__name__": "up", "job": "a", "instance": "x"]), timestamp: t, value: 1))
            samples.append(
                LabeledSample(labels: Labels(["__name__": "up", "job": "a", "instance": "y"]), timestamp: t, value: 0))
            samples.append(
                LabeledSample(
                    labels: Labels(["__name__": "latency_bucket", "le": "0.5"]), timestamp: t, value: Double(t / 10_000)
                ))
            samples.append(
                LabeledSample(
                    labels: Labels(["__name__": "latency_bucket", "le": "+Inf"]), timestamp: t, value: Double(t / 5000))
            )
        }
        return samples
    }
}
