import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends provider requests over the ``ProbeHTTPClient`` and hands the response body back line
/// by line, turning every transport failure into a classified ``ProbeError``.
///
/// Each exchange has a deadline, enforced on the client's event loop: when it passes, the
/// exchange fails as a timeout and its connection is cut. Cancelling the calling task (shutdown,
/// reload) does the same.
public struct HTTPTransport: Sendable {
    /// The client every provider shares; owned and shut down by whoever created it.
    public let client: ProbeHTTPClient
    /// A line of a stream longer than this is garbage, not a provider event.
    public var maxLineBytes = 1 << 20
    /// A whole non-streaming body larger than this is rejected as invalid.
    public var maxBodyBytes = 8 << 20
    /// How much of an error body is read to explain a non-2xx status.
    public var maxErrorBodyBytes = 64 << 10

    /// Wraps a client.
    public init(client: ProbeHTTPClient) {
        self.client = client
    }

    /// A JSON POST of `body` to `url` with `headers`, through `proxy` if given, ready to send any
    /// number of times; an unusable URL is a `connection` error (it names no part of the URL,
    /// which may hold a key).
    static func post(
        _ wire: (url: String, headers: [(String, String)], body: [UInt8]), proxy: ProxyServer?
    ) throws(ProbeError) -> HTTPRequest {
        do {
            return try HTTPRequest(url: wire.url, method: .POST, headers: wire.headers, body: wire.body, proxy: proxy)
        } catch {
            throw ProbeError(.connection, error.description)
        }
    }

    /// Sends `request` and feeds each line of a 2xx response body to `consumer` (without its
    /// line break) with the instant its bytes were read, until the body ends or the consumer
    /// says it has seen the end; then returns what the consumer made of it. Fails as a timeout
    /// when that has not happened within `timeout` of the call.
    ///
    /// The body is read and the lines are consumed on the connection's event loop (as bytes
    /// arrive while the consumer wants that, in batches after; see ``LineFraming``); the calling
    /// task wakes once, when the answer is complete. Each read's instant is taken there too,
    /// so the probe's own scheduling (a busy exporter, a slow task wake-up) does not count as
    /// model latency, and neither does connecting: the clock starts once the request is sent.
    ///
    /// A non-2xx status becomes a ``ProbeError`` classified by status, with the provider's own
    /// error message when its body carries one (credentials removed by `redactor`). Cancelling
    /// the calling task cancels the request.
    func streamLines<Consumer: LineConsumer>(
        _ request: HTTPRequest, timeout: Duration, redactor: SecretRedactor, consumer: Consumer
    ) async throws(ProbeError) -> Consumer.Result {
        try await exchange(
            request, timeout: timeout, redactor: redactor, consumer: LineFraming(consumer, maxLineBytes: maxLineBytes))
    }

    /// Sends `request` and returns a 2xx body whole, up to ``maxBodyBytes``, within `timeout`.
    func fetchBody(_ request: HTTPRequest, timeout: Duration, redactor: SecretRedactor) async throws(ProbeError) -> [UInt8] {
        try await exchange(request, timeout: timeout, redactor: redactor, consumer: WholeBody(limit: maxBodyBytes))
    }

    private func exchange<Consumer: BodyConsumer>(
        _ request: HTTPRequest, timeout: Duration, redactor: SecretRedactor, consumer: Consumer
    ) async throws(ProbeError) -> Consumer.Result {
        let reader = ResponseReader(consumer: consumer, transport: self, redactor: redactor)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                reader.start(continuation)
                reader.attach(client.execute(request, timeout: timeout, receiver: reader.receiver))
            }
        } onCancel: {
            reader.cancel()
        }
        if Task.isCancelled { throw ProbeError(.timeout, "cancelled") }
        return try result.get()
    }

    /// The error a non-2xx status means, explained by the provider's error body; `nil` for 2xx.
    func statusError(_ head: HTTPResponseHead, body: [UInt8], redactor: SecretRedactor) -> ProbeError? {
        let code = Int(head.status.code)
        guard !(200..<300).contains(code) else { return nil }
        let detail = ProviderErrorBody.message(from: body).map { redactor.redact($0) }
        var retryAfter: Duration?
        if let header = head.headers.first(name: "retry-after") {
            retryAfter = RetryAfter.parse(header, now: Date())
        }
        var reason = detail ?? head.status.reasonPhrase
        if (300..<400).contains(code) {
            let location = head.headers.first(name: "location").map { redactor.redact($0) } ?? "no location"
            reason = "redirected to \(location); redirects are not followed: set the endpoint to the final URL"
        }
        if code == 407 { reason = "the proxy refused the request: 407 \(head.status.reasonPhrase)" }
        var errorClass = ProbeError.classify(httpStatus: code)
        if errorClass == .badRequest, ProviderErrorBody.rejectsCredential(body) { errorClass = .auth }
        return ProbeError(errorClass, reason, httpStatus: code, retryAfter: retryAfter)
    }

    /// Maps the client's, NIO's and NIOSSL's errors onto error classes. Before a response,
    /// anything that is not a timeout is a connection failure; after it, a broken body is an
    /// invalid response.
    static func classify(_ error: any Error, afterResponse: Bool, redactor: SecretRedactor) -> ProbeError {
        switch error {
        case is CancellationError, HTTPConnectionError.cancelled:
            return ProbeError(.timeout, "cancelled")
        case HTTPConnectionError.timedOut(let timeout):
            return ProbeError.deadlineExceeded(timeout)
        case ChannelError.connectTimeout(let timeout):
            return ProbeError(.timeout, "no connection within \(Duration(timeout).seconds)s")
        case HTTPConnectionError.closed, HTTPParserError.invalidEOFState:
            return afterResponse
                ? ProbeError(.invalidResponse, "connection closed before the response ended")
                : ProbeError(.connection, "connection closed before a response arrived")
        case let failure as NIOConnectionError:
            let cause = failure.connectionErrors.first?.error ?? failure.dnsAError ?? failure.dnsAAAAError
            let reason = cause.map { "\($0)" } ?? "no address"
            return ProbeError(.connection, redactor.redact("cannot connect to \(failure.host):\(failure.port): \(reason)"))
        default:
            let text = redactor.redact(String(describing: error))
            return afterResponse
                ? ProbeError(.invalidResponse, "response broken off: \(text)")
                : ProbeError(.connection, text)
        }
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
