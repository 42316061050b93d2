import Foundation

/// A real `prometheus-alertmanager` (Debian's package) on 127.0.0.1, gossip off, with its own
/// storage directory; stopped by PID.
public struct RunningAlertmanager: Sendable {
    /// The process.
    public let process: ManagedProcess
    /// Its port.
    public let port: Int
    /// Its storage and configuration directory.
    public let directory: URL
    /// amtool's `--http.config.file`, when Alertmanager serves https.
    public let amtoolHTTPConfig: URL?

    /// `http://127.0.0.1:<port>`, or `https://` with a web config.
    public var baseURL: String { "\(amtoolHTTPConfig == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// Starts Alertmanager with `config` (YAML) on `port` (a free one if nil) and waits until it
    /// answers `/-/ready`. With `webConfig` (its `--web.config.file`, e.g. `tls_server_config`)
    /// it serves https, and amtool connects with `amtoolHTTPConfig` (an `http_config`); it is
    /// ready once amtool can query it.
    public static func start(
        config: String, port: Int? = nil, webConfig: String? = nil, amtoolHTTPConfig: String = ""
    ) async throws -> RunningAlertmanager {
        let directory = try Programs.temporaryDirectory()
        let configFile = directory.appendingPathComponent("alertmanager.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let port = try port ?? Programs.freePort()
        var arguments = [
            "--config.file=\(configFile.path)", "--storage.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ]
        var httpConfig: URL?
        if let webConfig {
            let webFile = directory.appendingPathComponent("web.yml")
            try webConfig.write(to: webFile, atomically: true, encoding: .utf8)
            arguments.append("--web.config.file=\(webFile.path)")
            httpConfig = directory.appendingPathComponent("amtool-http.yml")
            try amtoolHTTPConfig.write(to: httpConfig!, atomically: true, encoding: .utf8)
        }
        let process = try ManagedProcess(try Programs.installed("prometheus-alertmanager"), arguments)
        let alertmanager = RunningAlertmanager(
            process: process, port: port, directory: directory, amtoolHTTPConfig: httpConfig)
        do {
            if httpConfig == nil {
                _ = try await HTTP.waitFor("\(alertmanager.baseURL)/-/ready") { _ in true }
            } else {
                try await alertmanager.waitUntilAmtoolConnects()
            }
        } catch {
            await alertmanager.stop()
            throw TestFailure("alertmanager did not become ready: \(error)\n\(process.output)")
        }
        return alertmanager
    }

    private func waitUntilAmtoolConnects() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                _ = try await amtoolQuery()
                return
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// `amtool alert query` against this Alertmanager, with `arguments` (matchers, flags).
    public func amtoolQuery(_ arguments: [String] = []) async throws -> String {
        let connection = amtoolHTTPConfig.map { ["--http.config.file=\($0.path)"] } ?? []
        let result = try await runProgram(
            try Programs.installed("amtool"),
            ["alert", "query", "--alertmanager.url=\(baseURL)", "-o", "extended"] + connection + arguments)
        guard result.status == 0 else { throw TestFailure("amtool failed (\(result.status)): \(result.output)") }
        return result.output
    }

    /// Stops it and removes its directory.
    public func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
