import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends provider requests over AsyncHTTPClient and hands the response body back line by line,
/// turning every transport failure into a classified ``ProbeError``.
///
/// Deadlines are not enforced here: the ``Prober`` races each call against its timeout and
/// cancels the task, which AsyncHTTPClient turns into a cancelled request.
public struct HTTPTransport: Sendable {
    /// The client every provider shares; owned and shut down by whoever created it.
    public let client: HTTPClient
    /// A line of a stream longer than this is garbage, not a provider event.
    public var maxLineBytes = 1 << 20
    /// A whole non-streaming body larger than this is rejected as invalid.
    public var maxBodyBytes = 8 << 20
    /// How much of an error body is read to explain a non-2xx status.
    public var maxErrorBodyBytes = 64 << 10

    /// Wraps a client.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// The configuration the probe's ``HTTPClient`` must be created with.
    ///
    /// AsyncHTTPClient retries a failed connection attempt until the request's deadline by
    /// default, so a refused or unreachable endpoint would surface only when the probe's own
    /// timeout cancels the call, counted as `timeout`. Without retries the failure comes back at
    /// once and is counted as `connection`, as ``ErrorClass`` defines it.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// A JSON POST (or GET when `body` is nil) to `url` with the given headers.
    public func request(url: String, headers: [(String, String)], body: [UInt8]?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = body == nil ? .GET : .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.replaceOrAdd(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends a POST of `body` to `url` and passes each line of a 2xx response body to `onLine`
    /// (without its line break) with the instant its bytes were read, until the body ends or
    /// `onLine` returns `false`. Returns when the request went out and when the response ended.
    ///
    /// Instants are taken on the connection's event loop, as bytes are written and read, so the
    /// probe's own scheduling (a busy exporter, a slow task wake-up) does not count as model
    /// latency, and neither does connecting: the clock starts once the request is sent.
    ///
    /// A non-2xx status becomes a ``ProbeError`` classified by status, with the provider's own
    /// error message when its body carries one (credentials removed by `redactor`).
    public func streamLines(
        url: String,
        headers: [(String, String)],
        body: [UInt8],
        redactor: SecretRedactor,
        onLine: (ArraySlice<UInt8>, ContinuousClock.Instant) throws(ProbeError) -> Bool
    ) async throws(ProbeError) -> StreamTimes {
        var times = StreamTimes(requestSent: .now, responseEnded: .now)
        let request: HTTPClient.Request
        do {
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "content-type", value: "application/json")
            request = try HTTPClient.Request(url: url, method: .POST, headers: fields, body: .bytes(body))
        } catch {
            throw Self.classify(error, afterResponse: false, redactor: redactor)
        }
        let (events, continuation) = AsyncThrowingStream<WireEvent, any Error>.makeStream()
        let delegate = StreamDelegate(continuation)
        let task = client.execute(request: request, delegate: delegate)
        continuation.onTermination = { _ in
            delegate.release()
            task.cancel()
        }
        defer {
            delegate.release()
            task.cancel()
        }

        var head: HTTPResponseHead?
        var errorBody: [UInt8] = []
        var pending: [UInt8] = []
        var searched = 0  // the start of `pending` known to hold no line break
        do {
            reading: for try await event in events {
                switch event {
                case .sent(let instant):
                    times.requestSent = instant
                case .head(let responseHead):
                    head = responseHead
                case .end(let instant):
                    times.responseEnded = instant
                case .body(let chunk, let instant):
                    times.responseEnded = instant
                    delegate.consumed(chunk.readableBytes)
                    if let head, !(200..<300).contains(head.status.code) {
                        let room = maxErrorBodyBytes - errorBody.count
                        errorBody.append(contentsOf: chunk.readableBytesView.prefix(room))
                        if errorBody.count >= maxErrorBodyBytes { break reading }
                        continue
                    }
                    pending.append(contentsOf: chunk.readableBytesView)
                    var lineStart = 0
                    while let newline = pending[max(lineStart, searched)...].firstIndex(of: UInt8(ascii: "\n")) {
                        var lineEnd = newline
                        if lineEnd > lineStart, pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                        let keepGoing = try onLine(pending[lineStart..<lineEnd], instant)
                        lineStart = newline + 1
                        if !keepGoing { return times }
                    }
                    pending.removeFirst(lineStart)
                    searched = pending.count
                    if pending.count > maxLineBytes {
                        throw ProbeError(.invalidResponse, "response line longer than \(maxLineBytes) bytes")
                    }
                }
            }
        } catch let error as ProbeError {
            throw error
        } catch {
            // An error status stays the error, even when its body is cut short.
            if let head, let failure = statusError(head, body: errorBody, redactor: redactor) { throw failure }
            throw Self.classify(error, afterResponse: head != nil, redactor: redactor)
        }
        if Task.isCancelled { throw ProbeError(.timeout, "cancelled") }
        guard let head else { throw ProbeError(.connection, "connection closed before a response arrived") }
        if let failure = statusError(head, body: errorBody, redactor: redactor) { throw failure }
        if !pending.isEmpty {
            _ = try onLine(pending[...], times.responseEnded)
        }
        return times
    }

    /// Sends `request` and returns a 2xx body whole, up to ``maxBodyBytes``.
    public func fetchBody(_ request: HTTPClientRequest, redactor: SecretRedactor) async throws(ProbeError) -> [UInt8] {
        let response = try await send(request, redactor: redactor)
        try await checkStatus(response, redactor: redactor)
        return try await Self.collect(response.body, limit: maxBodyBytes, redactor: redactor, truncate: false)
    }

    private func send(_ request: HTTPClientRequest, redactor: SecretRedactor) async throws(ProbeError) -> HTTPClientResponse {
        do {
            return try await client.execute(request, timeout: .hours(24))
        } catch {
            throw Self.classify(error, afterResponse: false, redactor: redactor)
        }
    }

    private func checkStatus(_ response: HTTPClientResponse, redactor: SecretRedactor) async throws(ProbeError) {
        guard !(200..<300).contains(response.status.code) else { return }
        let body =
            (try? await Self.collect(response.body, limit: maxErrorBodyBytes, redactor: redactor, truncate: true)) ?? []
        if let failure = statusError(
            status: response.status, headers: response.headers, body: body, redactor: redactor)
        {
            throw failure
        }
    }

    private func statusError(_ head: HTTPResponseHead, body: [UInt8], redactor: SecretRedactor) -> ProbeError? {
        statusError(status: head.status, headers: head.headers, body: body, redactor: redactor)
    }

    /// The error a non-2xx status means, explained by the provider's error body; `nil` for 2xx.
    private func statusError(
        status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8], redactor: SecretRedactor
    ) -> ProbeError? {
        let code = Int(status.code)
        guard !(200..<300).contains(code) else { return nil }
        let detail = ProviderErrorBody.message(from: body).map { redactor.redact($0) }
        var retryAfter: Duration?
        if let header = headers.first(name: "retry-after") {
            retryAfter = RetryAfter.parse(header, now: Date())
        }
        let reason = detail ?? status.reasonPhrase
        var errorClass = ProbeError.classify(httpStatus: code)
        if errorClass == .badRequest, ProviderErrorBody.rejectsCredential(body) { errorClass = .auth }
        return ProbeError(errorClass, reason, httpStatus: code, retryAfter: retryAfter)
    }

    private static func collect(
        _ body: HTTPClientResponse.Body, limit: Int, redactor: SecretRedactor, truncate: Bool
    ) async throws(ProbeError) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                if bytes.count + chunk.readableBytes > limit {
                    if truncate {
                        bytes.append(contentsOf: chunk.readableBytesView.prefix(limit - bytes.count))
                        return bytes
                    }
                    throw ProbeError(.invalidResponse, "response body larger than \(limit) bytes")
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as ProbeError {
            throw error
        } catch {
            throw classify(error, afterResponse: true, redactor: redactor)
        }
        return bytes
    }

    /// Maps AsyncHTTPClient and NIO errors onto error classes. Before a response, anything that
    /// is not a timeout is a connection failure; after it, a broken body is an invalid response.
    static func classify(_ error: any Error, afterResponse: Bool, redactor: SecretRedactor) -> ProbeError {
        if error is CancellationError {
            return ProbeError(.timeout, "cancelled")
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout, .socksHandshakeTimeout,
                .tlsHandshakeTimeout:
                return ProbeError(.timeout, "\(clientError)")
            case .cancelled:
                return ProbeError(.timeout, "cancelled")
            case .remoteConnectionClosed:
                return afterResponse
                    ? ProbeError(.invalidResponse, "connection closed before the response ended")
                    : ProbeError(.connection, "connection closed before a response arrived")
            default:
                break
            }
        }
        if afterResponse, let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            return ProbeError(.invalidResponse, "connection closed before the response ended")
        }
        let text = redactor.redact(String(describing: error))
        if afterResponse {
            return ProbeError(.invalidResponse, "response broken off: \(text)")
        }
        return ProbeError(.connection, text)
    }
}

/// When a streamed exchange happened, on the connection's event loop.
public struct StreamTimes: Sendable {
    /// When the whole request had been written to the connection.
    public var requestSent: ContinuousClock.Instant
    /// When the last bytes the caller consumed were read (the end event's, or the body's end).
    public var responseEnded: ContinuousClock.Instant
}

/// What ``StreamDelegate`` reports from the event loop, in order.
enum WireEvent: Sendable {
    /// The request was written, at this instant.
    case sent(ContinuousClock.Instant)
    /// The response head arrived.
    case head(HTTPResponseHead)
    /// Body bytes were read, at this instant.
    case body(ByteBuffer, ContinuousClock.Instant)
    /// The body ended, at this instant.
    case end(ContinuousClock.Instant)
}

/// Forwards a streamed exchange from AsyncHTTPClient's event loop into an async stream, stamping
/// each event as it happens rather than when the consuming task gets to it.
///
/// Reading pauses while more than ``bufferLimit`` bytes wait for the consumer, so a server that
/// streams faster than the probe decodes cannot grow the buffer without bound.
final class StreamDelegate: HTTPClientResponseDelegate {
    typealias Response = Void
    /// Unconsumed body bytes above which the connection is not read.
    static let bufferLimit = 1 << 20
    private let events: AsyncThrowingStream<WireEvent, any Error>.Continuation
    private let flow = Mutex<(buffered: Int, paused: EventLoopPromise<Void>?, released: Bool)>((0, nil, false))

    init(_ events: AsyncThrowingStream<WireEvent, any Error>.Continuation) {
        self.events = events
    }

    /// The consumer took `bytes` bytes of body off the stream.
    func consumed(_ bytes: Int) {
        let resume = flow.withLock { flow -> EventLoopPromise<Void>? in
            flow.buffered -= bytes
            guard flow.buffered <= Self.bufferLimit, let paused = flow.paused else { return nil }
            flow.paused = nil
            return paused
        }
        resume?.succeed()
    }

    /// The consumer is gone: reading never pauses again.
    func release() {
        let resume = flow.withLock { flow -> EventLoopPromise<Void>? in
            flow.released = true
            defer { flow.paused = nil }
            return flow.paused
        }
        resume?.succeed()
    }

    func didSendRequest(task: HTTPClient.Task<Void>) {
        events.yield(.sent(.now))
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        events.yield(.head(head))
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        events.yield(.body(buffer, .now))
        let promise = task.eventLoop.makePromise(of: Void.self)
        let pause = flow.withLock { flow -> Bool in
            flow.buffered += buffer.readableBytes
            guard !flow.released, flow.buffered > Self.bufferLimit else { return false }
            flow.paused = promise
            return true
        }
        if !pause { promise.succeed() }
        return promise.futureResult
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        events.finish(throwing: error)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        events.yield(.end(.now))
        events.finish()
    }
}

/// Parses the `retry-after` header: delay-seconds or an HTTP-date.
enum RetryAfter {
    static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 {
            return .fromSeconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .fromSeconds(max(0, date.timeIntervalSince(now)))
    }
}

/// Extracts the human-readable message from the error bodies providers send.
enum ProviderErrorBody {
    /// `{"error": {"message": …}}` (OpenAI, Anthropic, Gemini), `{"error": "…"}` (Ollama), or
    /// `{"message": …}` / `{"detail": …}` (plain JSON services); otherwise the start of the text.
    static func message(from body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                return message
            }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
            if let detail = object["detail"] as? String { return detail }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? nil : text
    }

    /// Whether a 4xx body says the credential was wrong although its status is not 401/403:
    /// Google (Gemini) answers a bad API key with 400 `INVALID_ARGUMENT` and an `ErrorInfo`
    /// detail whose reason is `API_KEY_INVALID`.
    static func rejectsCredential(_ body: [UInt8]) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any], let details = error["details"] as? [[String: Any]]
        else { return false }
        return details.contains { $0["reason"] as? String == "API_KEY_INVALID" }
    }
}
