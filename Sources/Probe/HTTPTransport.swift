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

    /// Wraps a client.
    public init(client: HTTPClient) {
        self.client = client
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

    /// Sends `request` and passes each line of a 2xx body to `onLine` (without its line break),
    /// until the body ends or `onLine` returns `false`.
    ///
    /// A non-2xx status becomes a ``ProbeError`` classified by status, with the provider's own
    /// error message when its body carries one (credentials removed by `redactor`).
    public func streamLines(
        _ request: HTTPClientRequest,
        redactor: SecretRedactor,
        onLine: (ArraySlice<UInt8>, ContinuousClock.Instant) throws(ProbeError) -> Bool
    ) async throws(ProbeError) {
        let response = try await send(request, redactor: redactor)
        try await checkStatus(response, redactor: redactor)
        var pending: [UInt8] = []
        do {
            for try await chunk in response.body {
                let now = ContinuousClock.now
                pending.append(contentsOf: chunk.readableBytesView)
                var lineStart = 0
                while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                    var lineEnd = newline
                    if lineEnd > lineStart, pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                    let keepGoing = try onLine(pending[lineStart..<lineEnd], now)
                    lineStart = newline + 1
                    if !keepGoing { return }
                }
                pending.removeFirst(lineStart)
                if pending.count > maxLineBytes {
                    throw ProbeError(.invalidResponse, "response line longer than \(maxLineBytes) bytes")
                }
            }
        } catch let error as ProbeError {
            throw error
        } catch {
            throw Self.classify(error, afterResponse: true, redactor: redactor)
        }
        if !pending.isEmpty {
            _ = try onLine(pending[...], ContinuousClock.now)
        }
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
        let status = Int(response.status.code)
        guard !(200..<300).contains(status) else { return }
        let body = (try? await Self.collect(response.body, limit: maxErrorBodyBytes, redactor: redactor, truncate: true)) ?? []
        let detail = ProviderErrorBody.message(from: body).map { redactor.redact($0) }
        var retryAfter: Duration?
        if let header = response.headers.first(name: "retry-after") {
            retryAfter = RetryAfter.parse(header, now: Date())
        }
        let reason = detail ?? response.status.reasonPhrase
        throw ProbeError(ProbeError.classify(httpStatus: status), reason, httpStatus: status, retryAfter: retryAfter)
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
        let text = redactor.redact(String(describing: error))
        if afterResponse {
            return ProbeError(.invalidResponse, "response broken off: \(text)")
        }
        return ProbeError(.connection, text)
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
}
