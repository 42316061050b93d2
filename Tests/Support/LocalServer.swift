import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A Hummingbird server on 127.0.0.1 and an ephemeral port, run for the length of `body`.
public enum LocalServer {
    /// Serves the routes `configure` adds while `body` runs, passing it the port (`port`, or an
    /// ephemeral one when 0).
    public static func with<T: Sendable>(
        port requested: Int = 0,
        _ configure: (Router<BasicRequestContext>) -> Void,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let router = Router()
        configure(router)
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: requested)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: quietLogger)
        return try await whileRunning(app) {
            let deadline = ContinuousClock.now + .seconds(60)
            while port.withLock({ $0 }) == nil {
                guard ContinuousClock.now < deadline else { throw TestFailure("local server did not start on port \(requested == 0 ? "0 (any)" : "\(requested)")") }
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await body(port.withLock { $0 }!)
        }
    }
}

/// A logger that keeps test servers quiet but for critical messages.
public let quietLogger: Logger = {
    var logger = Logger(label: "test-server")
    logger.logLevel = .critical
    return logger
}()

/// Runs `service` while `body` runs, then shuts it down gracefully (escalating to cancellation
/// after two seconds, for a response that stalls on purpose).
///
/// Cancelling a NIO server outright can trap ("Deinited NIOAsyncWriter without calling
/// finish()", apple/swift-nio#3481) when a connection was accepted but not yet served; a
/// graceful shutdown stops accepting first.
public func whileRunning<S: Service, T: Sendable>(_ service: S, _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [], cancellationSignals: [],
            logger: quietLogger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: .seconds(2))
            throw CancellationError()
        }
        _ = try? await tasks.next()
        tasks.cancelAll()
        return try outcome.get()
    }
}
