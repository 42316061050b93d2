import TestSupport
import Foundation

/// An `llmwatch probe` process on 127.0.0.1 and an ephemeral port.
struct RunningProbe {
    let process: ManagedProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the probe with `arguments` and waits until it listens.
    static func start(_ arguments: [String] = [], environment: [String: String] = [:]) async throws -> RunningProbe {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let process = try ManagedProcess(
            try Programs.llmwatch, ["probe", "--web.listen-address=127.0.0.1:0"] + arguments, environment: env, name: "llmwatch")
        do {
            let port = try await process.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#)
            return RunningProbe(process: process, port: Int(port)!)
        } catch {
            await process.stop()
            throw error
        }
    }

    func stop() async { await process.stop() }
}
