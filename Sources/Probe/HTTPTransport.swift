import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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

    /// The loop streamed exchanges run on, delegate and connection alike. With AsyncHTTPClient's
    /// default (any loop for the delegate, any idle connection) the two are on different loops
    /// half the time on a two-loop group, and every read then costs a hop between threads; with
    /// a new loop per request, connections made for one loop are closed after each use.
    public let eventLoop: any EventLoop

    /// Wraps a client; its streamed exchanges run on one loop of the client's group.
    public init(client: HTTPClient) {
        self.client = client
        eventLoop = client.eventLoopGroup.next()
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

    /// Sends a POST of `body` to `url` and feeds each line of a 2xx response body to `consumer`
    /// (without its line break) with the instant its bytes were read, until the body ends or the
    /// consumer says it has seen the end; then returns what the consumer made of it.
    ///
    /// The body is read and the lines are consumed on the connection's event loop, as bytes
    /// arrive; the calling task wakes once, when the answer is complete. Instants are taken
    /// there too, so the probe's own scheduling (a busy exporter, a slow task wake-up) does not
    /// count as model latency, and neither does connecting: the clock starts once the request
    /// is sent.
    ///
    /// A non-2xx status becomes a ``ProbeError`` classified by status, with the provider's own
    /// error message when its body carries one (credentials removed by `redactor`). Cancelling
    /// the calling task cancels the request.
    func streamLines<Consumer: LineConsumer>(
        url: String,
        headers: [(String, String)],
        body: [UInt8],
        redactor: SecretRedactor,
        consumer: Consumer
    ) async throws(ProbeError) -> Consumer.Result {
        let request: HTTPClient.Request
        do {
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "content-type", value: "application/json")
            request = try HTTPClient.Request(url: url, method: .POST, headers: fields, body: .bytes(body))
        } catch {
            throw Self.classify(error, afterResponse: false, redactor: redactor)
        }
        let reader = StreamReader(consumer: consumer, transport: self, redactor: redactor)
        let loop: HTTPClient.EventLoopPreference = .delegateAndChannel(on: eventLoop)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                reader.start(continuation)
                reader.attach(client.execute(request: request, delegate: reader, eventLoop: loop))
            }
        } onCancel: {
            reader.cancel()
        }
        if Task.isCancelled { throw ProbeError(.timeout, "cancelled") }
        return try result.get()
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

    func statusError(_ head: HTTPResponseHead, body: [UInt8], redactor: SecretRedactor) -> ProbeError? {
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
