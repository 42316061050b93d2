import NIOCore

/// Why a proxy did not open a tunnel.
struct ProxyTunnelError: Error, CustomStringConvertible {
    let description: String
}

/// Opens a `CONNECT` tunnel through an HTTP proxy (RFC 9110, 9.3.6): the first handler of a
/// connection to the proxy, it asks for a tunnel to `target` as soon as the connection is up
/// and reads the proxy's answer. On a 2xx it removes itself and completes ``established``, so
/// what is added next (TLS, then HTTP) speaks to the target through the tunnel. Any other
/// answer, a closed connection, or no answer within the connect timeout fails it.
final class ProxyTunnel: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A proxy's answer to `CONNECT` longer than this is not an HTTP head.
    static var maxHeadBytes: Int { 16 << 10 }

    /// Completed once the tunnel is open, or failed.
    let established: EventLoopPromise<Void>
    private let target: HTTPEndpoint
    private let proxy: ProxyServer
    private let timeout: TimeAmount
    private var answer: ByteBuffer?
    private var deadline: Scheduled<Void>?
    private var isDone = false

    init(to target: HTTPEndpoint, through proxy: ProxyServer, timeout: TimeAmount, eventLoop: any EventLoop) {
        self.target = target
        self.proxy = proxy
        self.timeout = timeout
        established = eventLoop.makePromise()
    }

    func channelActive(context: ChannelHandlerContext) {
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        var head = "CONNECT \(host):\(target.port) HTTP/1.1\r\nHost: \(host):\(target.port)\r\n"
        if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization.value)\r\n" }
        head += "\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: head)), promise: nil)
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(ChannelError.connectTimeout(timeout), context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isDone else { return }
        var read = unwrapInboundIn(data)
        answer.setOrWriteBuffer(&read)
        guard let answer else { return }
        let bytes = answer.readableBytesView
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if bytes.count > Self.maxHeadBytes {
                fail(ProxyTunnelError(description: "proxy \(proxy.address) answered CONNECT with no HTTP head"), context: context)
            }
            return
        }
        let lineEnd = bytes.firstRange(of: Array("\r\n".utf8))?.lowerBound ?? end.lowerBound
        let statusLine = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            fail(ProxyTunnelError(description: "proxy \(proxy.address) answered CONNECT with no HTTP status"), context: context)
            return
        }
        guard (200..<300).contains(status) else {
            let reason = parts.count > 2 ? " \(parts[2])" : ""
            fail(ProxyTunnelError(description: "proxy \(proxy.address) refused the tunnel to \(target.host):\(target.port): \(status)\(reason)"), context: context)
            return
        }
        // A proxy sends nothing of the target's before the client's first bytes (TLS speaks first).
        isDone = true
        deadline?.cancel()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        established.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ProxyTunnelError(description: "proxy \(proxy.address) closed the connection before opening a tunnel"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        guard !isDone else { return }
        isDone = true
        deadline?.cancel()
        established.fail(error)
        context.close(promise: nil)
    }
}
