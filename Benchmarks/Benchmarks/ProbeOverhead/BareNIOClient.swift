import NIOCore
import NIOHTTP1
import NIOPosix

/// The floor of an HTTP/1.1 client on SwiftNIO: one keep-alive connection with NIOHTTP1's codec
/// and a handler that counts body bytes, nothing else. It is the least any NIO-based client can
/// spend on a response; the probe's read path is measured against it.
final class BareNIOClient: Sendable {
    private let channel: any Channel

    init(host: String, port: Int, group: any EventLoopGroup) async throws {
        channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(BodyCounter())
                }
            }
            .connect(host: host, port: port).get()
    }

    /// Sends one POST for `path` and returns the body's byte count once the response has ended.
    func post(_ path: String) async throws -> Int {
        let promise = channel.eventLoop.makePromise(of: Int.self)
        channel.writeAndFlush(BodyCounter.Request(path: path, done: promise), promise: nil)
        return try await promise.futureResult.get()
    }

    func close() async throws { try await channel.close() }
}

private final class BodyCounter: ChannelDuplexHandler {
    struct Request {
        let path: String
        let done: EventLoopPromise<Int>
    }
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Request
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<Int>?
    private var bytes = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending = request.done
        bytes = 0
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: request.path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        head.headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: break
        case .body(let buffer): bytes += buffer.readableBytes
        case .end:
            pending?.succeed(bytes)
            pending = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending?.fail(error)
        pending = nil
        context.close(promise: nil)
    }
}
