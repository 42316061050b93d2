import Foundation
import TestSupport
import Testing

/// `llmwatch evaluate` remote-writing its recording rules' results to a real Prometheus 2.42:
/// external labels are added and `write_relabel_configs` decide what is sent, as Prometheus's
/// own remote write does.
@Suite(.enabled(if: Programs.isInstalled("prometheus")))
struct RemoteWriteRelabelTests {
    @Test func externalLabelsAndWriteRelabelingApply() async throws {
        try await HeavyWork.limited {
            let receiver = try await RunningPrometheus.start(
                config: "global: {scrape_interval: 1h}\n", flags: ["--web.enable-remote-write-receiver"])
            let directory = try Programs.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
                global:
                  evaluation_interval: 1s
                  external_labels: {replica: a, region: eu}
                rule_files: [rules.yml]
                remote_write:
                  - url: \(receiver.baseURL)/api/v1/write
                    write_relabel_configs:
                      - source_labels: [__name__]
                        regex: 'kept:.*'
                        action: keep
                      - regex: region
                        action: labeldrop
                """.write(to: config, atomically: true, encoding: .utf8)
            try """
                groups:
                  - name: sent
                    rules:
                      - record: kept:one
                        expr: vector(1)
                      - record: kept:own_replica
                        expr: label_replace(vector(2), "replica", "b", "", "")
                      - record: dropped:three
                        expr: vector(3)
                """.write(to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
            let evaluator = try await RunningEvaluator.start(
                storage: directory.appendingPathComponent("data").path, ["--config.file", config.path])
            do {
                let query = receiver.baseURL + "/api/v1/query?query=" + "{__name__=~\"kept:.*|dropped:.*\"}"
                    .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let body = try await HTTP.waitFor(query, timeout: .seconds(30)) { body in
                    body.contains("kept:one") && body.contains("kept:own_replica")
                }
                let result = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                let vector = ((result?["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
                let series = Set(vector.compactMap { $0["metric"] as? [String: String] })
                #expect(
                    series == [
                        ["__name__": "kept:one", "replica": "a"],
                        ["__name__": "kept:own_replica", "replica": "b"],
                    ], "\(body)")
            } catch {
                await evaluator.stop()
                await receiver.stop()
                throw error
            }
            await evaluator.stop()
            await receiver.stop()
        }
    }
}
