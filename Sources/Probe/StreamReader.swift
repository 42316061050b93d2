import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// What reads a streamed body line by line on the connection's event loop (see
/// ``HTTPTransport/streamLines(url:headers:body:redactor:consumer:)``).
protocol LineConsumer: Sendable {
    /// What the consumer makes of a whole stream.
    associatedtype Result: Sendable
    /// Consumes one line (without its line break) read at `now`; returns `false` once the
    /// stream's end event has been seen, after which the rest of the body is not read.
    mutating func consume(line: ArraySlice<UInt8>, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool
    /// The result once the body ended or the consumer stopped it, with when that happened.
    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> Result
}

/// Reads one streamed exchange on AsyncHTTPClient's event loop: frames the body into lines,
/// hands them to the consumer as they arrive, stamped with the instant they were read, and
/// resumes the waiting task once, with the consumer's result or the classified error.
///
/// AsyncHTTPClient calls every delegate method on the connection's event loop, one after the
/// other, so the parsing state below is only touched there; what the calling task also touches
/// (its continuation, the request's task, whether it was cancelled) sits behind `handoff`.
/// Nothing is buffered beyond one unfinished line: each read is consumed before the next.
final class StreamReader<Consumer: LineConsumer>: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void
    /// How long the rest of a body is read (and dropped) after the consumer saw its end event,
    /// so the connection can go back to the pool; a server that keeps it busy longer is cut off.
    static var drainGrace: TimeAmount { .seconds(5) }
    /// Bytes read and dropped after the end event before the connection is cut off.
    static var drainLimit: Int { 1 << 20 }

    private struct Handoff {
        var continuation: CheckedContinuation<Swift.Result<Consumer.Result, ProbeError>, Never>?
        var task: HTTPClient.Task<Void>?
        var cancelled = false
    }

    private let handoff = Mutex(Handoff())
    private let transport: HTTPTransport
    private let redactor: SecretRedactor

    // Event-loop state.
    private var consumer: Consumer
    private var head: HTTPResponseHead?
    private var requestSent = ContinuousClock.now
    private var pending: [UInt8] = []
    private var errorBody: [UInt8] = []
    /// The result went to the caller; what still arrives is dropped.
    private var delivered = false
    private var dropped = 0
    private var drainDeadline: Scheduled<Void>?

    init(consumer: Consumer, transport: HTTPTransport, redactor: SecretRedactor) {
        self.consumer = consumer
        self.transport = transport
        self.redactor = redactor
    }

    /// Sets where the result goes; called once, before the request is executed.
    func start(_ continuation: CheckedContinuation<Swift.Result<Consumer.Result, ProbeError>, Never>) {
        handoff.withLock { $0.continuation = continuation }
    }

    /// Takes the running request, to cancel it; cancels it at once if the caller already gave up.
    func attach(_ task: HTTPClient.Task<Void>) {
        let cancelNow = handoff.withLock { handoff -> Bool in
            handoff.task = task
            return handoff.cancelled
        }
        if cancelNow { task.cancel() }
        // Should the request end without calling the delegate's error or finish methods, the
        // caller still gets an answer.
        task.futureResult.whenComplete { [self] result in
            if case .failure(let error) = result {
                resume(.failure(HTTPTransport.classify(error, afterResponse: false, redactor: redactor)))
            } else {
                resume(.failure(ProbeError(.connection, "request ended without a response")))
            }
        }
    }

    /// The calling task was cancelled: the request is cancelled, which fails it as `timeout`.
    func cancel() {
        let task = handoff.withLock { handoff -> HTTPClient.Task<Void>? in
            handoff.cancelled = true
            return handoff.task
        }
        task?.cancel()
    }

    /// Hands `result` to the caller, once; later calls do nothing.
    private func resume(_ result: Swift.Result<Consumer.Result, ProbeError>) {
        let continuation = handoff.withLock { handoff in
            defer { handoff.continuation = nil }
            return handoff.continuation
        }
        continuation?.resume(returning: result)
    }

    /// Delivers on the event loop and stops reading: later reads are dropped.
    private func deliver(_ result: Swift.Result<Consumer.Result, ProbeError>) {
        delivered = true
        resume(result)
    }

    /// Delivers a failure and cuts the connection.
    private func fail(_ error: ProbeError, task: HTTPClient.Task<Void>) {
        deliver(.failure(error))
        task.cancel()
    }

    func didSendRequest(task: HTTPClient.Task<Void>) {
        requestSent = .now
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head = head
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let succeeded = task.eventLoop.makeSucceededVoidFuture()
        if delivered {
            dropped += buffer.readableBytes
            if dropped > Self.drainLimit { task.cancel() }
            return succeeded
        }
        let now = ContinuousClock.now
        guard let head else { return succeeded }
        if !(200..<300).contains(head.status.code) {
            let room = transport.maxErrorBodyBytes - errorBody.count
            errorBody.append(contentsOf: buffer.readableBytesView.prefix(room))
            if errorBody.count >= transport.maxErrorBodyBytes, let failure = statusFailure(head) {
                fail(failure, task: task)
            }
            return succeeded
        }
        do throws(ProbeError) {
            if try !consumeLines(buffer, at: now) {
                let times = StreamTimes(requestSent: requestSent, responseEnded: now)
                let result = Swift.Result(catching: { () throws(ProbeError) in try consumer.finish(times) })
                deliver(result)
                drainDeadline = task.eventLoop.scheduleTask(in: Self.drainGrace) { task.cancel() }
            }
        } catch {
            fail(error, task: task)
        }
        return succeeded
    }

    /// Frames `buffer`, after what is left of the previous read, into lines for the consumer;
    /// returns `false` when the consumer saw the end.
    private func consumeLines(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) throws(ProbeError) -> Bool {
        var searched = pending.count  // `pending` holds no line break
        pending.append(contentsOf: buffer.readableBytesView)
        var lineStart = 0
        while let newline = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineEnd = newline
            if lineEnd > lineStart, pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let keepGoing = try consumer.consume(line: pending[lineStart..<lineEnd], at: now)
            lineStart = newline + 1
            searched = lineStart
            if !keepGoing { return false }
        }
        pending.removeFirst(lineStart)
        if pending.count > transport.maxLineBytes {
            throw ProbeError(.invalidResponse, "response line longer than \(transport.maxLineBytes) bytes")
        }
        return true
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        drainDeadline?.cancel()
        if delivered { return }
        // An error status stays the error, even when its body is cut short.
        if let head, let failure = statusFailure(head) {
            deliver(.failure(failure))
        } else {
            deliver(.failure(HTTPTransport.classify(error, afterResponse: head != nil, redactor: redactor)))
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        drainDeadline?.cancel()
        if delivered { return }
        let times = StreamTimes(requestSent: requestSent, responseEnded: .now)
        guard let head else {
            deliver(.failure(ProbeError(.connection, "connection closed before a response arrived")))
            return
        }
        if let failure = statusFailure(head) {
            deliver(.failure(failure))
            return
        }
        let result = Swift.Result(catching: { () throws(ProbeError) in
            if !pending.isEmpty {
                _ = try consumer.consume(line: pending[...], at: times.responseEnded)
            }
            return try consumer.finish(times)
        })
        deliver(result)
    }

    private func statusFailure(_ head: HTTPResponseHead) -> ProbeError? {
        transport.statusError(head, body: errorBody, redactor: redactor)
    }
}
