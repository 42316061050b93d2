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

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts Alertmanager with `config` (YAML) on `port` (a free one if nil) and waits until it
    /// answers `/-/ready`.
    public static func start(config: String, port: Int? = nil) async throws -> RunningAlertmanager {
        let directory = try Programs.temporaryDirectory()
        let configFile = directory.appendingPathComponent("alertmanager.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let port = try port ?? Programs.freePort()
        let process = try ManagedProcess(
            try Programs.installed("prometheus-alertmanager"),
            [
                "--config.file=\(configFile.path)", "--storage.path=\(directory.path)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
            ])
        let alertmanager = RunningAlertmanager(process: process, port: port, directory: directory)
        do {
            _ = try await HTTP.waitFor("\(alertmanager.baseURL)/-/ready") { _ in true }
        } catch {
            await alertmanager.stop()
            throw TestFailure("alertmanager did not become ready: \(error)\n\(process.output)")
        }
        return alertmanager
    }

    /// `amtool alert query` against this Alertmanager, with `arguments` (matchers, flags).
    public func amtoolQuery(_ arguments: [String] = []) async throws -> String {
        let result = try await runProgram(
            try Programs.installed("amtool"),
            ["alert", "query", "--alertmanager.url=\(baseURL)", "-o", "extended"] + arguments)
        guard result.status == 0 else { throw TestFailure("amtool failed (\(result.status)): \(result.output)") }
        return result.output
    }

    /// Stops it and removes its directory.
    public func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
