import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A local HTTP/1.1 server on 127.0.0.1 with an ephemeral port, on raw SwiftNIO, for the probe
/// client's connection handling: it counts the connections it accepted and the ones the client
/// closed, and answers each request as ``script`` says, given the connection's number (from 0,
/// in accept order) and the request's number on that connection.
///
/// Use it through ``withConnectionCountingServer(tls:script:_:)``, which stops it.
final class ConnectionCountingServer: Sendable {
    /// How one request is answered.
    enum Answer: Sendable {
        /// A complete OpenAI-compatible stream answering "42", after `delay`; with
        /// `Connection: close` (and the connection closed after it) when `close` is set.
        case stream(close: Bool = false, delay: Duration = .zero)
        /// No answer: the connection is closed as soon as the request has arrived.
        case drop
        /// A 200 whose body is `bytes` bytes of `x` without a line break.
        case garbage(bytes: Int)
    }

    /// The stream of ``Answer/stream(close:delay:)``.
    static let stream = Array(
        """
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"42"},"finish_reason":null}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: [DONE]


        """.utf8)

    private struct Counts {
        var accepted = 0
        var closedByClient = 0
    }

    private let counts = Mutex(Counts())
    let script: @Sendable (_ connection: Int, _ request: Int) -> Answer
    private let channel = Mutex<(any Channel)?>(nil)
    private let group: any EventLoopGroup

    /// Connections accepted so far.
    var accepted: Int { counts.withLock { $0.accepted } }
    /// Connections the client closed (rather than the server, after an answer that closes).
    var closedByClient: Int { counts.withLock { $0.closedByClient } }
    /// The port it listens on, once started.
    var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    init(group: any EventLoopGroup, script: @escaping @Sendable (Int, Int) -> Answer) {
        self.group = group
        self.script = script
    }

    func start(tls: TLSConfiguration?) async throws {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                let number = counts.withLock { counts in
                    defer { counts.accepted += 1 }
                    return counts.accepted
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let context { try pipeline.addHandler(NIOSSLServerHandler(context: context)) }
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
                    try pipeline.addHandler(AnsweringHandler(server: self, connection: number))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
    }

    func stop() async throws {
        try await channel.withLock { $0 }?.close()
    }

    fileprivate func clientClosed() {
        counts.withLock { $0.closedByClient += 1 }
    }
}

/// Runs `body` with a started server on its own event loop, then stops it.
func withConnectionCountingServer<T>(
    tls: TLSConfiguration? = nil,
    script: @escaping @Sendable (_ connection: Int, _ request: Int) -> ConnectionCountingServer.Answer,
    _ body: (ConnectionCountingServer) async throws -> T
) async throws -> T {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let server = ConnectionCountingServer(group: group, script: script)
    do {
        try await server.start(tls: tls)
        let result = try await body(server)
        try await server.stop()
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await server.stop()
        try? await group.shutdownGracefully()
        throw error
    }
}

private final class AnsweringHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: ConnectionCountingServer
    let connection: Int
    private var requests = 0
    /// The server closed the connection itself, so its end is not counted as the client's.
    private var closing = false

    init(server: ConnectionCountingServer, connection: Int) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let answer = server.script(connection, requests)
        requests += 1
        switch answer {
        case .drop:
            closing = true
            context.close(promise: nil)
        case .stream(let close, let delay):
            let loop = context.eventLoop.assumeIsolated()
            loop.scheduleTask(in: TimeAmount(delay)) { [self] in
                respond(context: context, body: ConnectionCountingServer.stream, close: close)
            }
        case .garbage(let bytes):
            respond(context: context, body: [UInt8](repeating: UInt8(ascii: "x"), count: bytes), close: false)
        }
    }

    private func respond(context: ChannelHandlerContext, body: [UInt8], close: Bool) {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "content-type", value: "text/event-stream")
        head.headers.add(name: "content-length", value: String(body.count))
        if close { head.headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if close {
            closing = true
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closing { server.clientClosed() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
