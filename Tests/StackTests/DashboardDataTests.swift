import Foundation
import Hummingbird
import TestSupport
import Testing

/// Every query of every shipped dashboard returns data against a running `llmwatch run`: the
/// simulated models, an Ollama server replaying Ollama's documented stream (for the
/// server-reported durations), a prediction endpoint and a model server exporter (for seed
/// 004's `model_resource_usage`), all served here, scraped every 2 s and evaluated with the
/// shipped rules; a simulated model whose every probe outlasts its 1 s schedule and is rate
/// limited (so the panels of skipped probes and rate limits have data whatever the shipped
/// models' random draws give); and three days of backfilled cost history, for the panels that compare today
/// with the week before.
struct DashboardDataTests {
    /// A fraud detector answering every prediction, and the resource metrics its server exports.
    static func configure(_ router: Router<BasicRequestContext>) {
        let ollama = (try? String(contentsOfFile: Programs.repositoryRoot.appendingPathComponent(
            "Tests/ProbeTests/Fixtures/ollama-chat-stream.ndjson").path, encoding: .utf8)) ?? ""
        router.post("/api/chat") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"],
                body: .init(byteBuffer: ByteBuffer(string: ollama)))
        }
        router.post("/predict") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"prediction": "fraud", "confidence": 0.93}"#)))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: """
                            # TYPE model_resource_usage gauge
                            model_resource_usage{resource_type="cpu"} 41.5
                            model_resource_usage{resource_type="memory"} 63
                            model_resource_usage{resource_type="gpu"} 12

                            """)))
        }
    }

    @Test func everyDashboardQueryReturnsData() async throws {
        try await HeavyWork.limited {
            try await LocalServer.with(Self.configure) { serverPort in
                let directory = try Programs.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let port = try Programs.freePort()
                let simulated = try String(contentsOfFile: ShippedFiles.path("examples/simulated.yml"), encoding: .utf8)
                let probe = simulated.replacingOccurrences(of: "schedule: 5s", with: "schedule: 2s") + """
                      - name: local-llama
                        provider: ollama
                        model: llama3.2
                        endpoint: http://127.0.0.1:\(serverPort)
                        schedule: 2s
                        pricing: {input_per_million: 0.1, output_per_million: 0.2}
                        prompts: [{name: hello, prompt: "Say hello."}]
                      - name: sim-late-and-limited
                        provider: simulated
                        model: slow
                        schedule: 1s
                        pricing: {input_per_million: 1, output_per_million: 1}
                        simulation: {time_to_first_token: 1500ms, jitter: 0, error_ratio: 0, rate_limit_ratio: 1}
                        prompts: [{name: hello, prompt: "Say hello."}]
                      - name: fraud-detector
                        provider: prediction
                        endpoint: http://127.0.0.1:\(serverPort)/predict
                        model_version: v1
                        schedule: 2s
                        prediction: {field: prediction, confidence_field: confidence}
                        prompts:
                          - name: known-fraud
                            input: {amount: 9800}
                            expect: {exact: fraud}

                    """
                try probe.write(to: directory.appendingPathComponent("probe.yml"), atomically: true, encoding: .utf8)
                try """
                    global: {scrape_interval: 2s, evaluation_interval: 2s}
                    rule_files: ['\(ShippedFiles.path("rules"))/*.yml']
                    scrape_configs:
                      - job_name: llmwatch-probe
                        static_configs: [{targets: ['127.0.0.1:\(port)']}]
                      - job_name: model-server
                        static_configs: [{targets: ['127.0.0.1:\(serverPort)']}]
                    """.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
                let storage = directory.appendingPathComponent("data").path
                let history = directory.appendingPathComponent("history.om")
                try Self.costHistory(instance: "127.0.0.1:\(port)").write(to: history, atomically: true, encoding: .utf8)
                let imported = try await runProgram(
                    try Programs.llmwatch, ["tsdb", "import", "openmetrics", history.path, "--storage.path", storage])
                #expect(imported.status == 0, "\(imported.output)")
                let process = try ManagedProcess(
                    try Programs.llmwatch,
                    [
                        "run", "--probe.config", directory.appendingPathComponent("probe.yml").path,
                        "--config.file", directory.appendingPathComponent("prometheus.yml").path,
                        "--storage.path", storage,
                        "--web.listen-address=127.0.0.1:\(port)",
                    ], name: "llmwatch-run")
                do {
                    _ = try await process.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
                    var empty = try DashboardQuery.all()
                    let deadline = ContinuousClock.now + .seconds(120)
                    while !empty.isEmpty && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .seconds(3))
                        var still: [DashboardQuery] = []
                        for query in empty where try await !Self.hasData(query, port: port) { still.append(query) }
                        empty = still
                    }
                    for query in empty { Issue.record("\(query) returned no data: \(query.promQL)") }
                } catch {
                    await process.stop(keepLog: true)
                    throw error
                }
                await process.stop()
            }
        }
    }

    /// `llm_cost_usd_total` of `sim-gpt-4` every 5 minutes from three days ago until a day ago,
    /// as the probe scraped at `instance` would have recorded it.
    static func costHistory(instance: String) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var lines = ["# TYPE llm_cost_usd_total counter"]
        for (index, time) in stride(from: now - 3 * 86_400, through: now - 86_400 - 600, by: 300).enumerated() {
            lines.append(
                #"llm_cost_usd_total{instance="\#(instance)",job="llmwatch-probe",model="sim-gpt-4",provider="simulated"} "#
                    + "\(Double(index) * 0.01) \(time)")
        }
        return (lines + ["# EOF", ""]).joined(separator: "\n")
    }

    /// Whether `query` answers a non-empty result, as Grafana would ask for it: instant at now,
    /// or over the last five minutes.
    static func hasData(_ query: DashboardQuery, port: Int) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        let path =
            query.instant
            ? "/api/v1/query?" + formEncode([("query", query.promQL), ("time", String(now))])
            : "/api/v1/query_range?"
                + formEncode([
                    ("query", query.promQL), ("start", String(now - 300)), ("end", String(now)), ("step", "5"),
                ])
        let reply = try await HTTP.get("http://127.0.0.1:\(port)" + path)
        guard reply.status == 200,
            let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any]
        else {
            throw TestFailure("\(query): HTTP \(reply.status): \(reply.body)")
        }
        if let result = data["result"] as? [Any] { return !result.isEmpty }
        return data["result"] != nil
    }
}
