import NIOCore
import NIOHTTP1
import Synchronization

/// What reads a streamed body line by line on the connection's event loop (see
/// ``HTTPTransport/streamLines(_:timeout:redactor:consumer:)``).
protocol LineConsumer: Sendable {
    /// What the consumer makes of a whole stream.
    associatedtype Result: Sendable
    /// Whether lines must be consumed as they arrive, which is while the consumer is still
    /// waiting for something it times live (the first token). Once it is not, reads are held
    /// back and their lines consumed in batches, with the batch's instant (see ``LineFraming``).
    var consumesLinesAsTheyArrive: Bool { get }
    /// Bytes found in the events that end the stream (its end event, an error event): from a
    /// read that holds one of them on, lines are consumed as they arrive, so such an event is
    /// seen (and the rest of the body left) without waiting for the body to end.
    var endMarkers: [EndMarker] { get }
    /// Consumes one line (without its line break) handed over at `now`; returns `false` once
    /// the stream's end event has been seen, after which the rest of the body is not read.
    /// The line's bytes are only valid during the call.
    mutating func consume(line: UnsafeBufferPointer<UInt8>, at now: ClockReading) throws(ProbeError) -> Bool
    /// The result once the body ended or the consumer stopped it, with when that happened.
    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Result
}

/// What a 2xx response body is made into, read by a ``ResponseReader`` on the event loop.
protocol BodyConsumer: Sendable {
    associatedtype Result: Sendable
    /// Where the connection holds reads back while the consumer does not need them (line
    /// bodies); `nil` when every read is to be consumed.
    var lineBuffer: LineBuffer? { get }
    /// Consumes one read of the body, made at `now`. Returns `nil` while it wants more; once it
    /// has its answer, the instant of the read that completed it, after which the rest of the
    /// body is not read.
    mutating func consume(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> ContinuousClock.Instant?
    /// The result once the body ended or the consumer stopped it, with when that happened.
    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Result
}

/// Frames a body into lines for a ``LineConsumer``, each line stamped with the instant of the
/// read that handed it over.
///
/// While the consumer wants lines as they arrive, each read's lines are consumed at once, with
/// the instant of the read that brought their line break. After that, the connection holds
/// reads back in the ``lineBuffer`` and their lines are consumed together, with the instant of
/// the read that ends the hold: when ``batchBytes`` have gathered, from a read that holds one of
/// the consumer's end markers on (so the end event keeps its own read's instant), and when the
/// body ends (the body's end). The CPU this saves is in ``LineBuffer``.
///
/// Nothing is kept beyond one unfinished line of at most `maxLineBytes` and one batch.
struct LineFraming<Lines: LineConsumer>: BodyConsumer {
    var lines: Lines
    let maxLineBytes: Int
    /// Reads held back are consumed once this many bytes have gathered.
    static var batchBytes: Int { 64 << 10 }
    /// Where the lines' bytes gather, and where the connection holds reads back.
    let buffer: LineBuffer
    var lineBuffer: LineBuffer? { buffer }
    /// The consumer saw its end event: what is left of the body is not its business.
    private var stopped = false

    init(_ lines: Lines, maxLineBytes: Int) {
        self.lines = lines
        self.maxLineBytes = maxLineBytes
        buffer = LineBuffer(endMarkers: lines.endMarkers, batchBytes: Self.batchBytes)
    }

    mutating func consume(_ read: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> ContinuousClock.Instant? {
        buffer.append(read)
        let stop = try consumeLines(at: now)
        buffer.isHoldingBack = !lines.consumesLinesAsTheyArrive
        return stop
    }

    /// Consumes every whole line in the buffer as handed over at `now`; returns `now` if the
    /// consumer stopped.
    private mutating func consumeLines(at now: ContinuousClock.Instant) throws(ProbeError) -> ContinuousClock.Instant? {
        let reading = ClockReading(now)
        if try !buffer.consumeLines({ line throws(ProbeError) in try lines.consume(line: line, at: reading) }) {
            stopped = true
            return now
        }
        if buffer.unfinishedLine.count > maxLineBytes {
            throw ProbeError(.invalidResponse, "response line longer than \(maxLineBytes) bytes")
        }
        return nil
    }

    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Lines.Result {
        if !stopped, try consumeLines(at: times.responseEnded) == nil, !buffer.unfinishedLine.isEmpty {
            _ = try lines.consume(line: buffer.unfinishedLine, at: ClockReading(times.responseEnded))
        }
        return try lines.finish(times)
    }
}

/// Collects a whole body of at most `limit` bytes.
struct WholeBody: BodyConsumer {
    let limit: Int
    var lineBuffer: LineBuffer? { nil }
    private var bytes: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func consume(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> ContinuousClock.Instant? {
        guard bytes.count + buffer.readableBytes <= limit else {
            throw ProbeError(.invalidResponse, "response body larger than \(limit) bytes")
        }
        buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        return nil
    }

    func finish(_ times: StreamTimes) -> [UInt8] { bytes }
}

/// Reads one exchange's response on the client's event loop: hands a 2xx body to the consumer
/// as it arrives, stamped with the instant it was read, explains any other status by its error
/// body, and resumes the waiting task once, with the consumer's result or the classified error.
///
/// ``ProbeHTTPClient`` calls every ``receiver`` callback on its event loop, one after the other, so
/// the state below is only touched there; what the calling task also touches (its
/// continuation, the running exchange, whether it was cancelled) sits behind `handoff`.
final class ResponseReader<Consumer: BodyConsumer>: @unchecked Sendable {
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

    /// The callbacks the client makes, each calling this reader's methods; made where
    /// `Consumer` is concrete, they run code specialized for it.
    var receiver: HTTPResponseReceiver {
        HTTPResponseReceiver(
            requestSent: { self.requestSent() }, head: { self.receive(head: $0) },
            body: { self.receive(body: $0, at: $1) }, lineBuffer: consumer.lineBuffer,
            end: { self.receiveEnd() }, fail: { self.fail($0, responseStarted: $1) })
    }

    /// Hands `result` to the caller, once; later calls do nothing.
    private func deliver(_ result: Swift.Result<Consumer.Result, ProbeError>) {
        let continuation = handoff.withLock { handoff in
            defer { handoff.continuation = nil }
            return handoff.continuation
        }
        continuation?.resume(returning: result)
    }

    private func requestSent() {
        requestSentAt = .now
    }

    private func receive(head: HTTPResponseHead) {
        self.head = head
    }

    private func receive(body: ByteBuffer, at now: ContinuousClock.Instant) -> BodyDecision {
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
            guard let stop = try consumer.consume(body, at: now) else { return .more }
            let times = StreamTimes(requestSent: requestSentAt, responseEnded: stop)
            deliver(Swift.Result(catching: { () throws(ProbeError) in try consumer.finish(times) }))
            return .drain
        } catch {
            deliver(.failure(error))
            return .close
        }
    }

    private func receiveEnd() {
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

    private func fail(_ error: any Error, responseStarted: Bool) {
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
