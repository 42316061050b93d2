import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection, the last handler of its pipeline (after NIOHTTP1's codec,
/// and NIOSSL's handler for https): writes one exchange's request at a time, passes the
/// response's parts to its receiver, and hands itself back to the pool when the response ended
/// with the connection still reusable.
///
/// Everything here runs on the channel's event loop, which is the client's one loop.
final class HTTPConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// How long the rest of a body is read (and dropped) after the receiver has its answer, so
    /// the connection can be reused; a server that keeps it busy longer is cut off.
    static var drainGrace: TimeAmount { .seconds(5) }
    /// Bytes read and dropped after the receiver's answer before the connection is cut off.
    static var drainLimit: Int { 1 << 20 }

    private enum State {
        /// In the pool (or just connected), waiting for an exchange.
        case idle
        /// Carrying `exchange`; `responseStarted` once its head arrived.
        case exchanging(HTTPExchange, responseStarted: Bool)
        /// The receiver has its answer; the rest of the body is dropped until the end.
        case draining(Scheduled<Void>, dropped: Int)
        case closed
    }

    let endpoint: HTTPEndpoint
    /// Held strongly: the channel's last callback (`channelInactive`, which may run after a
    /// shutdown's close has completed and the client is gone) still tells the pool. The pool
    /// lets go of the connection then, so neither outlives the channel.
    private let pool: ConnectionPool
    private var context: ChannelHandlerContext?
    private var state = State.idle {
        didSet {
            if case .exchanging(let exchange, _) = state { heldLines = exchange.lineBuffer } else { heldLines = nil }
        }
    }
    /// The line buffer of the exchange being carried (see ``HTTPResponseReceiver/lineBuffer``),
    /// derived from `state` and kept beside it so that a read it holds back touches nothing else.
    private var heldLines: LineBuffer?
    /// Whether it was used before: a reused connection that fails before any response is
    /// retried once, as the server may have closed it while it was idle.
    private(set) var wasUsed = false
    private var keepAlive = true
    /// Closes the connection when it has been idle in the pool for the pool's idle timeout.
    var idleTimer: AlarmClock.Alarm?

    init(endpoint: HTTPEndpoint, pool: ConnectionPool) {
        self.endpoint = endpoint
        self.pool = pool
    }

    /// Whether the connection can carry a new exchange.
    var isIdleAndOpen: Bool {
        guard case .idle = state, let context else { return false }
        return context.channel.isActive
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Writes `exchange`'s request; its response goes to its receiver.
    func start(_ exchange: HTTPExchange) {
        guard let context, case .idle = state else {
            pool.retryOrFail(exchange, error: HTTPConnectionError.closed, connectionWasUsed: false)
            return
        }
        idleTimer?.cancel()
        idleTimer = nil
        exchange.connection = self
        state = .exchanging(exchange, responseStarted: false)
        keepAlive = true
        let request = exchange.request
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let sent = context.eventLoop.makePromise(of: Void.self)
        sent.futureResult.whenSuccess {
            exchange.requestSent()
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: sent)
    }

    /// Cuts the connection, whatever it is doing; `promise` completes once it is closed.
    func close(promise: EventLoopPromise<Void>? = nil) {
        guard let context, context.channel.isActive else {
            promise?.succeed()
            return
        }
        context.close(promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        // Most reads of a stream are held back: they are kept before anything else is looked at,
        // and everything else is in a function of its own, so this path sets up none of its
        // locals.
        if case .body(let buffer) = part, let heldLines, heldLines.holdBack(buffer) { return }
        receive(part, context: context)
    }

    @inline(never)
    private func receive(_ part: HTTPClientResponsePart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .exchanging(let exchange, _)):
            keepAlive = head.isKeepAlive
            state = .exchanging(exchange, responseStarted: true)
            exchange.head(head)
        case (.body(let buffer), .exchanging(let exchange, _)):
            switch exchange.body(buffer, at: .now) {
            case .more:
                break
            case .drain:
                exchange.finish()
                let deadline = context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainGrace) { [self] in close() }
                state = .draining(deadline, dropped: 0)
            case .close:
                exchange.finish()
                state = .closed
                context.close(promise: nil)
            }
        case (.body(let buffer), .draining(let deadline, let dropped)):
            let total = dropped + buffer.readableBytes
            state = .draining(deadline, dropped: total)
            if total > Self.drainLimit { context.close(promise: nil) }
        case (.end, .exchanging(let exchange, _)):
            exchange.end()
            responseEnded(context: context)
        case (.end, .draining(let deadline, _)):
            deadline.cancel()
            responseEnded(context: context)
        default:
            // A response nobody asked for: the connection's framing can no longer be trusted.
            state = .closed
            context.close(promise: nil)
        }
    }

    private func responseEnded(context: ChannelHandlerContext) {
        wasUsed = true
        guard keepAlive, context.channel.isActive else {
            state = .closed
            context.close(promise: nil)
            return
        }
        state = .idle
        pool.release(self)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(with: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(with: HTTPConnectionError.closed)
        pool.forget(self)
        context.fireChannelInactive()
    }

    /// Ends what the connection was doing with `error`: the exchange fails (or is retried when
    /// nothing of its response came back on a reused connection).
    private func end(with error: any Error) {
        switch state {
        case .exchanging(let exchange, let responseStarted):
            state = .closed
            if responseStarted {
                exchange.fail(error, responseStarted: true)
            } else {
                pool.retryOrFail(exchange, error: error, connectionWasUsed: wasUsed)
            }
        case .draining(let deadline, _):
            deadline.cancel()
            state = .closed
        case .idle, .closed:
            state = .closed
        }
    }
}
