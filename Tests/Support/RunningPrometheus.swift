import AsyncHTTPClient
import Foundation

/// A real `prometheus` (Debian's 2.42) on 127.0.0.1 with its own data directory; stopped by PID.
public struct RunningPrometheus: Sendable {
    /// The process.
    public let process: ManagedProcess
    /// Its port.
    public let port: Int
    /// Its configuration and data directory.
    public let directory: URL
    /// Whether it serves https (a `web.yml` with `tls_server_config` among its files).
    public let isTLS: Bool

    /// `http://127.0.0.1:<port>`, or `https://` when it serves TLS.
    public var baseURL: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }

    /// Starts Prometheus with `config` (YAML; `files` are written beside it first, for rule
    /// files) and `flags`, and waits until it answers `/-/ready`. With `tlsClient`, `files`
    /// hold a `web.yml` that makes it serve https (`--web.config.file`), and the readiness
    /// check connects with that client.
    public static func start(
        config: String, files: [String: String] = [:], flags: [String] = [], dataDirectory: URL? = nil,
        tlsClient: HTTPClient? = nil
    ) async throws -> RunningPrometheus {
        let directory = try Programs.temporaryDirectory()
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let port = try Programs.freePort()
        let data = dataDirectory ?? directory.appendingPathComponent("data")
        let process = try ManagedProcess(
            try Programs.installed("prometheus"),
            [
                "--config.file=\(configFile.path)", "--storage.tsdb.path=\(data.path)",
                "--web.listen-address=127.0.0.1:\(port)",
            ] + (tlsClient == nil ? [] : ["--web.config.file=web.yml"]) + flags, workingDirectory: directory)
        let prometheus = RunningPrometheus(process: process, port: port, directory: directory, isTLS: tlsClient != nil)
        do {
            _ = try await HTTP.waitFor("\(prometheus.baseURL)/-/ready", timeout: .seconds(60), client: tlsClient ?? .shared) { _ in true }
        } catch {
            await prometheus.stop()
            throw TestFailure("prometheus did not become ready: \(error)\n\(process.output)")
        }
        return prometheus
    }

    /// Stops it and removes its directory.
    public func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
