import Hummingbird
import NIOCore
import Synchronization

/// A Hummingbird server on 127.0.0.1 and an ephemeral port, run for the length of `body`.
enum LocalServer {
    static func with<T: Sendable>(
        _ configure: (Router<BasicRequestContext>) -> Void,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let router = Router()
        configure(router)
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while port.withLock({ $0 }) == nil {
            guard ContinuousClock.now < deadline else { throw TestFailure("local server did not start") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await body(port.withLock { $0 }!)
    }
}
