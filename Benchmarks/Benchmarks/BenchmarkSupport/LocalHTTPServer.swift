import Hummingbird
import Logging
import NIOCore

/// An HTTP server on 127.0.0.1 (a free port) that answers every request with `handler`: the
/// targets and receivers the benchmarks serve to Prometheus and llmwatch. It runs until the
/// benchmark process exits or `stop()` is called.
public final class LocalHTTPServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts the server and returns once it listens.
    public static func start(
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) async throws -> LocalHTTPServer {
        var logger = Logger(label: "benchmark-server")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in try await handler(request) }
        let application = Application(
            responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let task = Task { try await application.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw BenchmarkError("local HTTP server did not start")
        }
        return LocalHTTPServer(port: port, task: task)
    }

    public func stop() { task.cancel() }
}

extension Response {
    /// A 200 with a text body of the given content type.
    public static func text(_ bytes: [UInt8], contentType: String = "text/plain; version=0.0.4; charset=utf-8")
        -> Response
    {
        Response(
            status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
