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

/// Receives one response, part by part, on the connection's event loop. After
/// ``receiveEnd()`` or ``fail(_:responseStarted:)``, or once a body part was answered with anything but
/// ``BodyDecision/more``, nothing more is delivered.
protocol HTTPResponseReceiver: AnyObject, Sendable {
    /// The whole request has been written to the connection.
    func requestSent()
    func receive(head: HTTPResponseHead)
    func receive(body: ByteBuffer) -> BodyDecision
    /// The body ended.
    func receiveEnd()
    /// The exchange failed; `responseStarted` says whether a response head had arrived.
    func fail(_ error: any Error, responseStarted: Bool)
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
final class HTTPExchange: @unchecked Sendable {
    let request: HTTPRequest
    let receiver: any HTTPResponseReceiver
    /// The connection carrying it, once it has one.
    var connection: HTTPConnection?
    /// When it fails as timed out, unless it ended before.
    let timeout: Duration
    /// The receiver has had its last call (end, failure, or a final body decision).
    private(set) var isFinished = false
    /// It was already retried once, on a fresh connection, after a reused one failed at once.
    var isRetry = false
    /// Fails the exchange at its deadline; cancelled when it finishes.
    var deadline: Scheduled<Void>?

    init(request: HTTPRequest, timeout: Duration, receiver: any HTTPResponseReceiver) {
        self.request = request
        self.timeout = timeout
        self.receiver = receiver
    }

    /// The receiver has had its last call.
    func finish() {
        isFinished = true
        deadline?.cancel()
        deadline = nil
    }

    /// Gives the receiver its failure, once.
    func fail(_ error: any Error, responseStarted: Bool) {
        guard !isFinished else { return }
        finish()
        receiver.fail(error, responseStarted: responseStarted)
    }
}
