#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore
import NIOHTTP1
import Synchronization

/// What reads a streamed body line by line on the connection's event loop (see
/// ``HTTPTransport/streamLines(_:timeout:redactor:consumer:)``).
protocol LineConsumer: Sendable {
    /// What the consumer makes of a whole stream.
    associatedtype Result: Sendable
    /// Consumes one line (without its line break) read at `now`; returns `false` once the
    /// stream's end event has been seen, after which the rest of the body is not read.
    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool
    /// The result once the body ended or the consumer stopped it, with when that happened.
    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Result
}

/// What a 2xx response body is made into, read by a ``ResponseReader`` on the event loop.
protocol BodyConsumer: Sendable {
    associatedtype Result: Sendable
    /// Consumes one read of the body at `now`; returns `false` once it has its answer, after
    /// which the rest of the body is not read.
    mutating func consume(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool
    /// The result once the body ended or the consumer stopped it, with when that happened.
    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Result
}

/// Frames a body into lines for a ``LineConsumer``. Nothing is buffered beyond one unfinished
/// line, at most `maxLineBytes` long: each read is consumed before the next.
struct LineFraming<Lines: LineConsumer>: BodyConsumer {
    var lines: Lines
    let maxLineBytes: Int
    private var pending: [UInt8] = []
    /// The consumer saw its end event: what is left of the body is not its business.
    private var stopped = false

    init(_ lines: Lines, maxLineBytes: Int) {
        self.lines = lines
        self.maxLineBytes = maxLineBytes
    }

    mutating func consume(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool {
        var searched = pending.count  // `pending` holds no line break
        pending.append(contentsOf: buffer.readableBytesView)
        var lineStart = 0
        while let newline = Self.newline(in: pending, from: searched) {
            var lineEnd = newline
            if lineEnd > lineStart, pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let keepGoing = try lines.consume(line: pending[lineStart..<lineEnd], at: now)
            lineStart = newline + 1
            searched = lineStart
            if !keepGoing {
                stopped = true
                return false
            }
        }
        pending.removeFirst(lineStart)
        if pending.count > maxLineBytes {
            throw ProbeError(.invalidResponse, "response line longer than \(maxLineBytes) bytes")
        }
        return true
    }

    /// The index of the first `\n` in `bytes` at or after `start`, found with `memchr` (the
    /// collection's `firstIndex(of:)` goes byte by byte, and every byte of a stream is searched).
    private static func newline(in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard start < buffer.count, let base = buffer.baseAddress,
                let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Lines.Result {
        if !stopped, !pending.isEmpty {
            _ = try lines.consume(line: pending[...], at: times.responseEnded)
        }
        return try lines.finish(times)
    }
}

/// Collects a whole body of at most `limit` bytes.
struct WholeBody: BodyConsumer {
    let limit: Int
    private var bytes: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func consume(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool {
        guard bytes.count + buffer.readableBytes <= limit else {
            throw ProbeError(.invalidResponse, "response body larger than \(limit) bytes")
        }
        bytes.append(contentsOf: buffer.readableBytesView)
        return true
    }

    func finish(_ times: StreamTimes) -> [UInt8] { bytes }
}

/// Reads one exchange's response on the client's event loop: hands a 2xx body to the consumer
/// as it arrives, stamped with the instant it was read, explains any other status by its error
/// body, and resumes the waiting task once, with the consumer's result or the classified error.
///
/// ``ProbeHTTPClient`` calls every receiver method on its event loop, one after the other, so
/// the state below is only touched there; what the calling task also touches (its
/// continuation, the running exchange, whether it was cancelled) sits behind `handoff`.
final class ResponseReader<Consumer: BodyConsumer>: HTTPResponseReceiver, @unchecked Sendable {
    typealias Continuation = CheckedContinuation<Swift.Result<Consumer.Result, ProbeError>, Never>

    private struct Handoff {
        var continuation: Continuation?
        var exchange: ProbeHTTPClient.RunningExchange?
        var cancelled = false
    }

    private let handoff = Mutex(Handoff())
    private let transport: HTTPTransport
    private let redactor: SecretRedactor

    // Event-loop state.
    private var consumer: Consumer
    private var head: HTTPResponseHead?
    private var requestSentAt = ContinuousClock.now
    private var errorBody: [UInt8] = []

    init(consumer: Consumer, transport: HTTPTransport, redactor: SecretRedactor) {
        self.consumer = consumer
        self.transport = transport
        self.redactor = redactor
    }

    /// Sets where the result goes; called once, before the request is executed.
    func start(_ continuation: Continuation) {
        handoff.withLock { $0.continuation = continuation }
    }

    /// Takes the running exchange, to cancel it; cancels it at once if the caller already gave up.
    func attach(_ exchange: ProbeHTTPClient.RunningExchange) {
        let cancelNow = handoff.withLock { handoff -> Bool in
            handoff.exchange = exchange
            return handoff.cancelled
        }
        if cancelNow { exchange.cancel() }
    }

    /// The calling task was cancelled: the exchange is cancelled, which fails it as `timeout`.
    func cancel() {
        let exchange = handoff.withLock { handoff -> ProbeHTTPClient.RunningExchange? in
            handoff.cancelled = true
            return handoff.exchange
        }
        exchange?.cancel()
    }

    /// Hands `result` to the caller, once; later calls do nothing.
    private func deliver(_ result: Swift.Result<Consumer.Result, ProbeError>) {
        let continuation = handoff.withLock { handoff in
            defer { handoff.continuation = nil }
            return handoff.continuation
        }
        continuation?.resume(returning: result)
    }

    func requestSent() {
        requestSentAt = .now
    }

    func receive(head: HTTPResponseHead) {
        self.head = head
    }

    func receive(body: ByteBuffer) -> BodyDecision {
        let now = ContinuousClock.now
        guard let head else { return .close }
        if !(200..<300).contains(head.status.code) {
            let room = transport.maxErrorBodyBytes - errorBody.count
            errorBody.append(contentsOf: body.readableBytesView.prefix(room))
            if errorBody.count >= transport.maxErrorBodyBytes, let failure = statusFailure(head) {
                deliver(.failure(failure))
                return .close
            }
            return .more
        }
        do throws(ProbeError) {
            if try consumer.consume(body, at: now) { return .more }
            let times = StreamTimes(requestSent: requestSentAt, responseEnded: now)
            deliver(Swift.Result(catching: { () throws(ProbeError) in try consumer.finish(times) }))
            return .drain
        } catch {
            deliver(.failure(error))
            return .close
        }
    }

    func receiveEnd() {
        guard let head else {
            deliver(.failure(ProbeError(.connection, "connection closed before a response arrived")))
            return
        }
        if let failure = statusFailure(head) {
            deliver(.failure(failure))
            return
        }
        let times = StreamTimes(requestSent: requestSentAt, responseEnded: .now)
        deliver(Swift.Result(catching: { () throws(ProbeError) in try consumer.finish(times) }))
    }

    func fail(_ error: any Error, responseStarted: Bool) {
        // An error status stays the error, even when its body is cut short.
        if let head, let failure = statusFailure(head) {
            deliver(.failure(failure))
        } else {
            deliver(.failure(HTTPTransport.classify(error, afterResponse: responseStarted, redactor: redactor)))
        }
    }

    private func statusFailure(_ head: HTTPResponseHead) -> ProbeError? {
        transport.statusError(head, body: errorBody, redactor: redactor)
    }
}
