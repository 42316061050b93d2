import NIOCore
import NIOHTTP1

/// What a ``HTTPResponseReceiver`` wants after a part of the body.
enum BodyDecision {
    /// Keep delivering the body.
    case more
    /// The receiver has its answer: the rest of the body is read and dropped so the connection
    /// can be reused (within ``HTTPConnection/drainGrace`` and ``HTTPConnection/drainLimit``).
    case drain
    /// The receiver has its answer and the rest is not worth reading: the connection is closed.
    case close
}

/// Receives one response, part by part, on the connection's event loop. After ``end`` or
/// ``fail``, or once a body part was answered with anything but ``BodyDecision/more``, nothing
/// more is delivered.
///
/// Closures rather than a protocol: whoever reads the response makes them where its own type is
/// concrete, so the call per body part runs code specialized for that reader. A protocol's
/// witness for a generic reader (as the stream readers are) would run unspecialized, looking up
/// type metadata on every call.
struct HTTPResponseReceiver: Sendable {
    /// The whole request has been written to the connection.
    var requestSent: @Sendable () -> Void
    /// The response's head arrived.
    var head: @Sendable (HTTPResponseHead) -> Void
    /// A part of the body arrived, read at the instant given; the answer says whether to go on.
    var body: @Sendable (ByteBuffer, ContinuousClock.Instant) -> BodyDecision
    /// Where a line body's parts are held back while its reader does not need them: a part it
    /// keeps (``LineBuffer/holdBack(_:)``) is not passed to ``body``.
    var lineBuffer: LineBuffer?
    /// The body ended.
    var end: @Sendable () -> Void
    /// The exchange failed; the flag says whether a response head had arrived.
    var fail: @Sendable (_ error: any Error, _ responseStarted: Bool) -> Void
}

/// Errors of the connection itself rather than of the network or the server's bytes.
enum HTTPConnectionError: Error, CustomStringConvertible {
    /// The connection closed before the response ended.
    case closed
    /// The exchange was cancelled by its caller.
    case cancelled
    /// The exchange did not end within its timeout.
    case timedOut(Duration)
    /// The client was shut down.
    case shutDown

    var description: String {
        switch self {
        case .closed: "connection closed"
        case .cancelled: "cancelled"
        case .timedOut(let timeout): "no response within \(timeout)"
        case .shutDown: "client shut down"
        }
    }
}

/// One request and its response, from the pool's point of view. Made by the calling task and
/// handed to the client's event loop (``ProbeHTTPClient/execute(_:timeout:receiver:)``), then only
/// touched there.
///
/// The receiver gets its calls through the exchange, and the exchange lets go of it once it has
/// had its last one: a receiver may hold the ``ProbeHTTPClient/RunningExchange`` it was given (to
/// cancel it), and neither would be freed otherwise.
final class HTTPExchange: @unchecked Sendable {
    let request: HTTPRequest
    /// `nil` once finished.
    private var receiver: HTTPResponseReceiver?
    /// The connection carrying it, once it has one.
    var connection: HTTPConnection?
    /// When it fails as timed out, unless it ended before.
    let timeout: Duration
    /// The receiver has had its last call (end, failure, or a final body decision).
    private(set) var isFinished = false
    /// It was already retried once, on a fresh connection, after a reused one failed at once.
    var isRetry = false
    /// Fails the exchange at its deadline; cancelled when it finishes.
    var deadline: AlarmClock.Alarm?

    init(request: HTTPRequest, timeout: Duration, receiver: HTTPResponseReceiver) {
        self.request = request
        self.timeout = timeout
        self.receiver = receiver
    }

    /// The receiver's line buffer (see ``HTTPResponseReceiver/lineBuffer``), while not finished.
    var lineBuffer: LineBuffer? { receiver?.lineBuffer }

    /// Tells the receiver the whole request was written, unless it is finished.
    func requestSent() { receiver?.requestSent() }

    /// Hands the response's head to the receiver.
    func head(_ head: HTTPResponseHead) { receiver?.head(head) }

    /// Hands a part of the body to the receiver; a finished exchange wants nothing more.
    func body(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) -> BodyDecision {
        receiver?.body(buffer, now) ?? .close
    }

    /// The receiver has had its last call: the exchange lets go of it.
    func finish() {
        isFinished = true
        receiver = nil
        deadline?.cancel()
        deadline = nil
    }

    /// Tells the receiver the body ended, as its last call.
    func end() {
        let receiver = self.receiver
        finish()
        receiver?.end()
    }

    /// Gives the receiver its failure, once.
    func fail(_ error: any Error, responseStarted: Bool) {
        guard !isFinished else { return }
        let receiver = self.receiver
        finish()
        receiver?.fail(error, responseStarted)
    }
}
