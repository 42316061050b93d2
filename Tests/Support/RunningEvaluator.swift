import Foundation

/// An `llmwatch evaluate` (or `llmwatch run`) process on 127.0.0.1 and an ephemeral port.
public struct RunningEvaluator: Sendable {
    /// The process.
    public let process: ManagedProcess
    /// Its port.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `llmwatch <command>` on the store in `storage` and waits until it listens.
    public static func start(storage: String, _ arguments: [String] = [], command: String = "evaluate") async throws
        -> RunningEvaluator
    {
        let process = try ManagedProcess(
            try Programs.llmwatch,
            [command, "--storage.path", storage, "--web.listen-address=127.0.0.1:0"] + arguments, name: "llmwatch")
        do {
            let port = try await process.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
            return RunningEvaluator(process: process, port: Int(port)!)
        } catch {
            await process.stop(keepLog: true)
            throw error
        }
    }

    /// Stops it by PID.
    public func stop() async { await process.stop() }
}

/// `name=value&...` with every byte but unreserved ones percent-encoded.
public func formEncode(_ parameters: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
    return parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
}
