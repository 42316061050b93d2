import NIOCore
import NIOSOCKS

/// Why a proxy did not open a tunnel.
struct ProxyTunnelError: Error, CustomStringConvertible {
    let description: String
}

/// What ``ProxyTunnel`` and ``SOCKSTunnel`` share: the first handler (after NIOSOCKS's, for
/// SOCKS) of a connection to a proxy, which reports once, through ``established``, whether the
/// proxy opened the way to `target`, and gives up when it has not within the connect timeout.
/// Only touched on the connection's loop.
class TunnelHandler {
    let target: HTTPEndpoint
    let proxy: ProxyServer
    private let timeout: TimeAmount
    private let outcome: EventLoopPromise<Void>
    private var deadline: Scheduled<Void>?
    /// The tunnel is open or has failed: nothing more is looked at.
    private(set) var isDone = false

    init(to target: HTTPEndpoint, through proxy: ProxyServer, timeout: TimeAmount, eventLoop: any EventLoop) {
        self.target = target
        self.proxy = proxy
        self.timeout = timeout
        outcome = eventLoop.makePromise()
    }

    /// Completes once the tunnel is open, or fails.
    var established: EventLoopFuture<Void> { outcome.futureResult }

    /// Starts waiting for the proxy, once the connection to it is up.
    func startDeadline(context: ChannelHandlerContext) {
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(ChannelError.connectTimeout(timeout), context: context)
        }
    }

    /// What the tunnel fails with when the proxy closes the connection before it is open.
    var closedBeforeOpening: String { "proxy \(proxy.address) closed the connection" }

    /// Ends the wait, once: returns whether this call did.
    private func end() -> Bool {
        guard !isDone else { return false }
        isDone = true
        deadline?.cancel()
        return true
    }

    /// The tunnel is open: the handler leaves the pipeline, so what was added after it speaks to
    /// the target.
    func open(context: ChannelHandlerContext) {
        guard end() else { return }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        outcome.succeed()
    }

    /// The tunnel cannot be opened: it fails with `error` and the connection is closed.
    func fail(_ error: any Error, context: ChannelHandlerContext) {
        guard end() else { return }
        outcome.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ProxyTunnelError(description: closedBeforeOpening), context: context)
        context.fireChannelInactive()
    }

    /// A connection that closes before it was ever active (the proxy refused it) removes the
    /// handler without a word to it: the tunnel fails then.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard end() else { return }
        outcome.fail(ProxyTunnelError(description: "connection to proxy \(proxy.address) closed"))
    }
}

/// Opens a `CONNECT` tunnel through an HTTP proxy (RFC 9110, 9.3.6): the first handler of a
/// connection to the proxy, it asks for a tunnel to `target` as soon as the connection is up
/// and reads the proxy's answer. On a 2xx it removes itself and completes ``established``, so
/// what is added next (TLS, then HTTP) speaks to the target through the tunnel. Any other
/// answer, a closed connection, or no answer within the connect timeout fails it.
final class ProxyTunnel: TunnelHandler, ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A proxy's answer to `CONNECT` longer than this is not an HTTP head.
    static var maxHeadBytes: Int { 16 << 10 }

    private var answer: ByteBuffer?

    func channelActive(context: ChannelHandlerContext) {
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        var head = "CONNECT \(host):\(target.port) HTTP/1.1\r\nHost: \(host):\(target.port)\r\n"
        if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization.value)\r\n" }
        head += "\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: head)), promise: nil)
        startDeadline(context: context)
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
        open(context: context)
    }

    override var closedBeforeOpening: String { "proxy \(proxy.address) closed the connection before opening a tunnel" }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }
}

/// Waits for a SOCKS5 proxy to open a connection to `target`: the handler after NIOSOCKS's
/// `SOCKSClientHandler` (which speaks the protocol, RFC 1928, and stays in the pipeline to pass
/// the bytes on). When the proxy has connected it removes itself and completes ``established``,
/// so what is added next (TLS, then HTTP) speaks to the target. A refusal, a closed connection,
/// or no answer within the connect timeout fails it.
final class SOCKSTunnel: TunnelHandler, ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// The address the proxy is asked to connect to: an IP address as such, a name for the
    /// proxy to resolve.
    static func address(of target: HTTPEndpoint) -> SOCKSAddress {
        if let address = try? SocketAddress(ipAddress: target.host, port: target.port) { return .address(address) }
        return .domain(target.host, port: target.port)
    }

    func channelActive(context: ChannelHandlerContext) {
        startDeadline(context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is SOCKSProxyEstablishedEvent, !isDone else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        open(context: context)
    }

    override var closedBeforeOpening: String {
        "SOCKS5 proxy \(proxy.address) closed the connection before connecting to \(target.host):\(target.port)"
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: String
        if let failed = error as? SOCKSError.ConnectionFailed {
            reason = "it answered \(failed.reply.value) (\(Self.meaning(of: failed.reply.value)))"
        } else {
            reason = "\(error)"
        }
        fail(ProxyTunnelError(description: "SOCKS5 proxy \(proxy.address) did not connect to \(target.host):\(target.port): \(reason)"), context: context)
    }

    /// RFC 1928's name for a SOCKS5 reply code.
    static func meaning(of reply: UInt8) -> String {
        switch reply {
        case 1: "general failure"
        case 2: "not allowed by its rules"
        case 3: "network unreachable"
        case 4: "host unreachable"
        case 5: "connection refused"
        case 6: "TTL expired"
        case 7: "command not supported"
        case 8: "address type not supported"
        default: "unknown reply"
        }
    }
}
