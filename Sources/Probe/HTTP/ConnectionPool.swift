import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSOCKS
import NIOSSL

/// The client's connections, on its one event loop: idle keep-alive connections by endpoint,
/// reused most recently idle first, at most ``ProbeHTTPClient/Configuration/maxIdleConnectionsPerEndpoint``
/// of them, each closed after ``ProbeHTTPClient/Configuration/idleTimeout`` unused.
final class ConnectionPool {
    private let eventLoop: any EventLoop
    private let configuration: ProbeHTTPClient.Configuration
    private var idle: [HTTPEndpoint: [HTTPConnection]] = [:]
    /// Every open connection, idle or busy, so that shutdown closes them all.
    private var open: [ObjectIdentifier: HTTPConnection] = [:]
    /// Made on the first https request: loading the trust roots is not free.
    private var tlsContext: NIOSSLContext?
    private var isShutDown = false

    init(eventLoop: any EventLoop, configuration: ProbeHTTPClient.Configuration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
    }

    /// Runs `exchange` on an idle connection to its endpoint, or on a new one.
    func execute(_ exchange: HTTPExchange) {
        guard !exchange.isFinished else { return }
        guard !isShutDown else {
            exchange.fail(HTTPConnectionError.shutDown, responseStarted: false)
            return
        }
        let pool = NIOLoopBound(self, eventLoop: eventLoop)
        exchange.deadline = AlarmClock.shared.set(after: exchange.timeout) { [eventLoop] _ in
            eventLoop.execute { pool.value.cancel(exchange, because: HTTPConnectionError.timedOut(exchange.timeout)) }
        }
        let endpoint = exchange.request.endpoint
        while let connection = idle[endpoint]?.popLast() {
            if connection.isIdleAndOpen {
                connection.start(exchange)
                return
            }
        }
        startOnNewConnection(exchange)
    }

    private func startOnNewConnection(_ exchange: HTTPExchange) {
        connect(exchange.request.endpoint) { [self] result in
            switch result {
            case .success(let connection):
                if exchange.isFinished {
                    release(connection)  // cancelled while connecting: the connection is still good
                } else {
                    connection.start(exchange)
                }
            case .failure(let error):
                exchange.fail(error, responseStarted: false)
            }
        }
    }

    /// Ends `exchange` early: its receiver fails now with `error`, and its connection, if it has
    /// one, is cut.
    func cancel(_ exchange: HTTPExchange, because error: HTTPConnectionError) {
        guard !exchange.isFinished else { return }
        exchange.fail(error, responseStarted: false)
        exchange.connection?.close()
    }

    /// An exchange's connection failed before any of its response arrived: on a connection that
    /// was idle before, the server may have closed it in the meantime, so it is tried once more
    /// on a new connection; otherwise it fails.
    func retryOrFail(_ exchange: HTTPExchange, error: any Error, connectionWasUsed: Bool) {
        guard !exchange.isFinished else { return }
        if connectionWasUsed, !exchange.isRetry, !isShutDown {
            exchange.isRetry = true
            exchange.connection = nil
            startOnNewConnection(exchange)
        } else {
            exchange.fail(error, responseStarted: false)
        }
    }

    /// Takes back a connection whose response ended with it reusable.
    func release(_ connection: HTTPConnection) {
        var connections = idle[connection.endpoint, default: []]
        guard !isShutDown, connections.count < configuration.maxIdleConnectionsPerEndpoint else {
            connection.close()
            return
        }
        let idleConnection = NIOLoopBound(connection, eventLoop: eventLoop)
        connection.idleTimer = AlarmClock.shared.set(after: configuration.idleTimeout) { [eventLoop] alarm in
            eventLoop.execute {
                // Unless the connection was taken again since the alarm went off.
                let connection = idleConnection.value
                if connection.idleTimer == alarm { connection.close() }
            }
        }
        connections.append(connection)
        idle[connection.endpoint] = connections
    }

    /// A connection closed: it is no longer open, nor idle.
    func forget(_ connection: HTTPConnection) {
        connection.idleTimer?.cancel()
        open[ObjectIdentifier(connection)] = nil
        idle[connection.endpoint]?.removeAll { $0 === connection }
        if idle[connection.endpoint]?.isEmpty == true { idle[connection.endpoint] = nil }
    }

    /// Closes every connection; exchanges still running fail, later ones are refused.
    func shutDown() -> EventLoopFuture<Void> {
        isShutDown = true
        idle = [:]
        let closing = open.values.map { connection in
            let closed = eventLoop.makePromise(of: Void.self)
            connection.close(promise: closed)
            return closed.futureResult
        }
        return EventLoopFuture.andAllComplete(closing, on: eventLoop)
    }

    /// Opens a connection to `endpoint` and calls `then` with it, on the loop. Through a proxy,
    /// the connection goes to the proxy; through an HTTP proxy for `https`, and through a SOCKS5
    /// proxy always, a tunnel to the endpoint is opened first (``tunnel(to:)``) and TLS and HTTP
    /// run inside it.
    private func connect(_ endpoint: HTTPEndpoint, then: @escaping (Result<HTTPConnection, any Error>) -> Void) {
        let tls: NIOSSLContext?
        do {
            tls = endpoint.isTLS ? try tlsContextMade() : nil
        } catch {
            then(.failure(error))
            return
        }
        let pool = NIOLoopBound(self, eventLoop: eventLoop)
        let tunnelBox = tunnel(to: endpoint).map { NIOLoopBound($0, eventLoop: eventLoop) }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tunnelBox {
                        try pipeline.addHandlers(tunnelBox.value.handlers)
                    } else {
                        try Self.addEndpointHandlers(to: pipeline, endpoint: endpoint, tls: tls, pool: pool)
                    }
                }
            }
            .connect(host: endpoint.proxy?.host ?? endpoint.host, port: endpoint.proxy?.port ?? endpoint.port)
            .flatMap { channel in
                guard let tunnelBox else { return channel.eventLoop.makeSucceededFuture(channel) }
                return tunnelBox.value.established.flatMapThrowing {
                    try Self.addEndpointHandlers(to: channel.pipeline.syncOperations, endpoint: endpoint, tls: tls, pool: pool)
                    return channel
                }
            }
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    do {
                        let connection = try channel.pipeline.syncOperations.handler(type: HTTPConnection.self)
                        guard !isShutDown else {
                            connection.close()
                            throw HTTPConnectionError.shutDown
                        }
                        guard channel.isActive else { throw HTTPConnectionError.closed }
                        open[ObjectIdentifier(connection)] = connection
                        then(.success(connection))
                    } catch {
                        then(.failure(error))
                    }
                case .failure(let error):
                    then(.failure(error))
                }
            }
    }

    /// The handlers that open a tunnel to `endpoint` through its proxy, first in the pipeline,
    /// and when it is open; `nil` when the connection speaks to the endpoint (or to an HTTP
    /// proxy, for plain `http`) at once.
    private func tunnel(to endpoint: HTTPEndpoint) -> (handlers: [any ChannelHandler], established: EventLoopFuture<Void>)? {
        guard let proxy = endpoint.proxy else { return nil }
        let timeout = TimeAmount(configuration.connectTimeout)
        switch proxy.kind {
        case .http:
            guard endpoint.isTLS else { return nil }
            let tunnel = ProxyTunnel(to: endpoint, through: proxy, timeout: timeout, eventLoop: eventLoop)
            return ([tunnel], tunnel.established)
        case .socks5:
            let tunnel = SOCKSTunnel(to: endpoint, through: proxy, timeout: timeout, eventLoop: eventLoop)
            return ([SOCKSClientHandler(targetAddress: SOCKSTunnel.address(of: endpoint)), tunnel], tunnel.established)
        }
    }

    /// Adds the handlers that speak to `endpoint`: TLS (for `https`), HTTP, the connection.
    private static func addEndpointHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, endpoint: HTTPEndpoint, tls: NIOSSLContext?,
        pool: NIOLoopBound<ConnectionPool>
    ) throws {
        if let tls {
            // SNI and the certificate's name check take a host name, not an address.
            let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port)) != nil
            try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : endpoint.host))
        }
        try pipeline.addHTTPClientHandlers()
        try pipeline.addHandler(HTTPConnection(endpoint: endpoint, pool: pool.value))
    }

    private func tlsContextMade() throws -> NIOSSLContext {
        if let tlsContext { return tlsContext }
        let context = try NIOSSLContext(configuration: configuration.tls)
        tlsContext = context
        return context
    }
}
