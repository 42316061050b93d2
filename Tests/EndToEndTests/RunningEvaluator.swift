import Foundation
import TestSupport

/// An `llmwatch evaluate` process on 127.0.0.1 and an ephemeral port.
struct RunningEvaluator {
    let process: ManagedProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the evaluator on the store in `storage` and waits until it listens.
    static func start(storage: String, _ arguments: [String] = []) async throws -> RunningEvaluator {
        let process = try ManagedProcess(
            try Programs.llmwatch,
            ["evaluate", "--storage.path", storage, "--web.listen-address=127.0.0.1:0"] + arguments, name: "llmwatch")
        do {
            let port = try await process.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
            return RunningEvaluator(process: process, port: Int(port)!)
        } catch {
            await process.stop(keepLog: true)
            throw error
        }
    }

    func stop() async { await process.stop() }
}

/// A real `prometheus` serving the TSDB in `storage`, on 127.0.0.1 and a free port.
struct RunningPrometheus {
    let process: ManagedProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts Prometheus with a configuration that scrapes nothing, keeping every block of
    /// `storage` however old (`--storage.tsdb.retention.time=100y`), and waits until it is ready.
    static func start(storage: String, directory: URL) async throws -> RunningPrometheus {
        let config = directory.appendingPathComponent("prometheus.yml")
        try "global:\n  evaluation_interval: 1m\nscrape_configs: []\n".write(
            to: config, atomically: true, encoding: .utf8)
        let port = try Programs.freePort()
        let process = try ManagedProcess(
            try Programs.installed("prometheus"),
            [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(storage)",
                "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:\(port)",
            ])
        let running = RunningPrometheus(process: process, port: port)
        do {
            _ = try await HTTP.waitFor(running.baseURL + "/-/ready", timeout: .seconds(120)) { _ in true }
        } catch {
            await process.stop(keepLog: true)
            throw TestFailure("prometheus did not become ready: \(error)\n\(process.output.suffix(3000))")
        }
        return running
    }

    func stop() async { await process.stop() }
}

/// `name=value&...` with every byte but unreserved ones percent-encoded.
func formEncode(_ parameters: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
    return parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
}
