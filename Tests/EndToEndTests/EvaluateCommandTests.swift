import Foundation
import TestSupport
import Testing

/// `llmwatch evaluate`, `llmwatch query` and `llmwatch tsdb import openmetrics` as processes:
/// backfill, serve, stop on SIGTERM, restart with the data still there.
@Suite("llmwatch evaluate")
struct EvaluateCommandTests {
    static let history = """
        # TYPE jobs_done counter
        jobs_done_total{queue="mail"} 10 1700000000
        jobs_done_total{queue="mail"} 25 1700000030
        jobs_done_total{queue="mail"} 40 1700000060
        jobs_done_total{queue="sms"} 1 1700000000
        jobs_done_total{queue="sms"} 4 1700000060
        # TYPE temperature gauge
        temperature{room="lab"} 21.25 1700000000
        temperature{room="lab"} 22.5 1700000060
        # EOF

        """

    @Test func servesImportedHistoryAcrossARestart() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history.om")
        try Self.history.write(to: file, atomically: true, encoding: .utf8)
        let storage = directory.appendingPathComponent("data").path
        let llmwatch = try Programs.llmwatch

        let imported = try await runProgram(
            llmwatch, ["tsdb", "import", "openmetrics", file.path, "--storage.path", storage])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("read 7 samples of 3 series"), "\(imported.output)")
        #expect(imported.output.contains("appended 7 samples"), "\(imported.output)")

        var evaluator = try await RunningEvaluator.start(storage: storage)
        let query = "/api/v1/query?" + formEncode([("query", "sum(jobs_done_total)"), ("time", "1700000060")])
        let first = try await HTTP.get(evaluator.baseURL + query)
        #expect(
            first.body
                == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000060,"44"]}]}}"#
        )
        #expect(try await HTTP.get(evaluator.baseURL + "/-/healthy").status == 200)
        #expect(try await HTTP.get(evaluator.baseURL + "/-/ready").status == 200)
        let metrics = try await HTTP.get(evaluator.baseURL + "/metrics")
        #expect(metrics.body.contains("llmwatch_tsdb_head_series 3"), "\(metrics.body.prefix(2000))")
        #expect(metrics.body.contains("llmwatch_tsdb_head_samples 7"))
        #expect(metrics.body.contains("llmwatch_engine_queries_concurrent_max 20"))
        #expect(metrics.body.contains(#"llmwatch_http_requests_total{handler="/api/v1/query",code="200"} 1"#))

        // The store is locked while the evaluator runs: a second import is refused, nothing written.
        let refused = try await runProgram(
            llmwatch, ["tsdb", "import", "openmetrics", file.path, "--storage.path", storage])
        #expect(refused.status == 1)
        #expect(refused.output.contains("locked by another process"), "\(refused.output)")

        // llmwatch query prints as promtool query instant/range does.
        let instant = try await runProgram(
            llmwatch, ["query", "jobs_done_total", "--time", "1700000060", "--server", evaluator.baseURL])
        #expect(instant.status == 0, "\(instant.output)")
        #expect(
            instant.output
                == "jobs_done_total{queue=\"mail\"} => 40 @[1700000060]\njobs_done_total{queue=\"sms\"} => 4 @[1700000060]\n"
        )
        let range = try await runProgram(
            llmwatch,
            [
                "query", "temperature", "--start", "1700000000", "--end", "1700000060", "--step", "30s", "--server",
                evaluator.baseURL,
            ])
        #expect(range.status == 0, "\(range.output)")
        #expect(
            range.output
                == "temperature{room=\"lab\"} =>\n21.25 @[1700000000]\n21.25 @[1700000030]\n22.5 @[1700000060]\n")
        let json = try await runProgram(
            llmwatch,
            ["query", "max(temperature)", "--time", "1700000060.5", "--format", "json", "--server", evaluator.baseURL])
        #expect(json.output.contains(#""22.5""#), "\(json.output)")
        #expect(json.output.contains("1700000060.5"), "\(json.output)")
        let bad = try await runProgram(llmwatch, ["query", "sum(", "--server", evaluator.baseURL])
        #expect(bad.status == 1)
        #expect(bad.output.contains("query error: bad_data: invalid parameter \"query\""), "\(bad.output)")

        // SIGTERM stops it gracefully and the WAL is flushed.
        evaluator.process.send(SIGTERM)
        let status = try await evaluator.process.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "\(evaluator.process.output)")
        #expect(evaluator.process.output.contains("time-series store closed"))
        await evaluator.stop()

        evaluator = try await RunningEvaluator.start(storage: storage)
        let again = try await HTTP.get(evaluator.baseURL + query)
        #expect(again.body == first.body)
        let series = try await HTTP.get(
            evaluator.baseURL + "/api/v1/series?" + formEncode([("match[]", "temperature")]))
        #expect(series.body == #"{"status":"success","data":[{"__name__":"temperature","room":"lab"}]}"#)
        await evaluator.stop()
    }

    @Test func aBadConfigFailsAtStartWithItsPosition() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("prometheus.yml")
        try "scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await runProgram(
            try Programs.llmwatch,
            [
                "evaluate", "--config.file", config.path, "--storage.path", directory.appendingPathComponent("data").path,
                "--web.listen-address=127.0.0.1:0",
            ])
        // Exits with the message, not a crash (the HTTP client is made once the config has loaded).
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains(#"prometheus.yml:3:5: unknown field \"scrape_intervl\" in scrape_configs[0]"#), "\(result.output)")
    }

    @Test func queryReportsAnUnreachableServer() async throws {
        let port = try Programs.freePort()
        let result = try await runProgram(
            try Programs.llmwatch, ["query", "up", "--server", "http://127.0.0.1:\(port)"])
        #expect(result.status == 1)
        #expect(result.output.contains("query error: cannot reach http://127.0.0.1:\(port)"), "\(result.output)")
    }

    @Test func importRejectsAMalformedFileAndWritesNothing() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.om")
        try "# TYPE g gauge\ng 1 1700000000\ng 2\n# EOF\n".write(to: file, atomically: true, encoding: .utf8)
        let storage = directory.appendingPathComponent("data").path
        let result = try await runProgram(
            try Programs.llmwatch, ["tsdb", "import", "openmetrics", file.path, "--storage.path", storage])
        #expect(result.status == 1)
        #expect(result.output.contains("bad.om:3: expected a timestamp"), "\(result.output)")
        #expect(result.output.contains("nothing was imported"))
    }
}
