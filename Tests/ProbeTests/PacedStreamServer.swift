import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A bare HTTP/1.1 server on 127.0.0.1 for timing tests: it plays a scripted streaming reply
/// entirely on one event loop, stamping each request's arrival and each write on that loop.
///
/// ``FixtureServer`` stamps from its handler task, which a busy test run can wake late; here
/// every delay is a task scheduled on the loop and every stamp is taken where the bytes are
/// read or written, so the server's own timeline is exact. Give the probe's client the same
/// event loop group and both ends of the wire are measured without a thread hop.
final class PacedStreamServer: Sendable {
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    private let channel: any Channel
    private let log: TimelineLog

    private init(channel: any Channel, log: TimelineLog) {
        baseURL = "http://127.0.0.1:\(channel.localAddress?.port ?? 0)"
        self.channel = channel
        self.log = log
    }

    /// Timelines of the replies so far, in arrival order; each starts when the request's head
    /// was read.
    var timelines: [PacedTimeline] { log.entries.withLock { $0 } }

    /// Starts a server on `group` answering every request with a 200 `text/event-stream` whose
    /// body is `steps` (`.abort` closes the connection), runs `body`, and stops the server.
    static func run<T: Sendable>(
        _ steps: [ReplyStep], on group: any EventLoopGroup, _ body: (PacedStreamServer) async throws -> T
    ) async throws -> T {
        let log = TimelineLog()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(PacedReplyHandler(steps: steps, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = PacedStreamServer(channel: channel, log: log)
        do {
            let result = try await body(server)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

/// When a ``PacedStreamServer`` read one request and wrote each chunk of its reply.
struct PacedTimeline: Sendable {
    /// When the request's head was read.
    var receivedAt: ContinuousClock.Instant
    /// When each `.send` step was written.
    var sentAt: [ContinuousClock.Instant] = []
}

/// The timelines a ``PacedStreamServer`` records, shared by its connections.
private final class TimelineLog: Sendable {
    let entries = Mutex<[PacedTimeline]>([])

    /// Opens a timeline for a request read at `instant`; returns its index.
    func begin(at instant: ContinuousClock.Instant) -> Int {
        entries.withLock { entries in
            entries.append(PacedTimeline(receivedAt: instant))
            return entries.count - 1
        }
    }

    /// Records a write of timeline `index` at `instant`.
    func sent(_ index: Int, at instant: ContinuousClock.Instant) {
        entries.withLock { $0[index].sentAt.append(instant) }
    }
}

/// Plays the scripted reply on the connection's event loop.
private final class PacedReplyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let steps: [ReplyStep]
    private let log: TimelineLog
    private var receivedAt: ContinuousClock.Instant?

    init(steps: [ReplyStep], log: TimelineLog) {
        self.steps = steps
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            receivedAt = .now
        case .body:
            break
        case .end:
            let index = log.begin(at: receivedAt ?? .now)
            let head = HTTPResponseHead(
                version: .http1_1, status: .ok,
                headers: ["content-type": "text/event-stream", "transfer-encoding": "chunked"])
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            play(steps[...], index: index, context: context)
        }
    }

    /// Writes steps until a pause, then schedules the rest on the loop.
    private func play(_ remaining: ArraySlice<ReplyStep>, index: Int, context: ChannelHandlerContext) {
        var remaining = remaining
        while let step = remaining.popFirst() {
            switch step {
            case .send(let bytes):
                log.sent(index, at: .now)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            case .pause(let duration):
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let (seconds, attoseconds) = duration.components
                let delay = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
                let rest = remaining
                context.eventLoop.scheduleTask(in: delay) {
                    let (handler, context) = bound.value
                    handler.play(rest, index: index, context: context)
                }
                return
            case .abort:
                context.close(promise: nil)
                return
            }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
