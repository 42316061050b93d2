import NIOCore
import NIOPosix
import NIOSSL

/// The probe's HTTP/1.1 client: SwiftNIO's HTTP codec and a pool of keep-alive connections, on
/// one event loop, with nothing between the socket's reads and the probe's stream decoding.
///
/// Every connection and every response callback runs on that one loop, so a body's parts reach
/// the probe's framing without a hop between threads or tasks; the task that sent the request
/// wakes once, when its answer is complete. `https` uses NIOSSL with the system's trust roots
/// and SNI; `http` is for local servers.
///
/// Create one per process and call ``shutdown()`` before the event loop group goes away.
public final class ProbeHTTPClient: Sendable {
    /// Timeouts and pool limits.
    public struct Configuration: Sendable {
        /// How long connecting (TCP, not TLS) may take before the request fails as a timeout.
        public var connectTimeout: Duration = .seconds(10)
        /// Idle keep-alive connections kept per scheme, host and port; more are closed.
        public var maxIdleConnectionsPerEndpoint = 8
        /// How long an idle connection is kept before it is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// TLS for `https` endpoints: by default the system's trust roots, full verification.
        public var tls: TLSConfiguration = .makeClientConfiguration()

        /// The defaults: 10 s to connect, 8 idle connections per endpoint for 60 s each.
        public init() {}
    }

    /// The loop every connection and response callback runs on.
    let eventLoop: any EventLoop
    private let pool: NIOLoopBoundBox<ConnectionPool>

    /// A client on one loop of `group` (NIO's shared group by default).
    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, configuration: Configuration = .init()
    ) {
        let eventLoop = group.next()
        self.eventLoop = eventLoop
        pool = .makeBoxSendingValue(ConnectionPool(eventLoop: eventLoop, configuration: configuration), eventLoop: eventLoop)
    }

    /// Closes every connection; requests still running fail, later ones are refused.
    public func shutdown() async {
        let pool = self.pool
        try? await eventLoop.flatSubmit { pool.value.shutDown() }.get()
    }

    /// Sends `request`; the response goes to `receiver` on ``eventLoop``. When it has not ended
    /// within `timeout` (connecting included), the receiver fails with
    /// ``HTTPConnectionError/timedOut(_:)``; cancelling the returned exchange fails it with
    /// ``HTTPConnectionError/cancelled``. Either way its connection is cut.
    func execute(_ request: HTTPRequest, timeout: Duration, receiver: HTTPResponseReceiver) -> RunningExchange {
        let exchange = HTTPExchange(request: request, timeout: timeout, receiver: receiver)
        let running = RunningExchange(exchange: exchange, pool: pool)
        if eventLoop.inEventLoop {
            running.start()
        } else {
            eventLoop.execute { running.start() }
        }
        return running
    }

    /// An exchange started from any thread, to cancel from any thread.
    struct RunningExchange: Sendable {
        fileprivate let exchange: HTTPExchange
        fileprivate let pool: NIOLoopBoundBox<ConnectionPool>

        fileprivate func start() { pool.value.execute(exchange) }

        /// Fails the exchange as cancelled, unless it already ended.
        func cancel() {
            let (exchange, pool) = (self.exchange, self.pool)
            pool.eventLoop.execute { pool.value.cancel(exchange, because: HTTPConnectionError.cancelled) }
        }
    }
}
