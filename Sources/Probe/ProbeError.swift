/// The classes a failed probe is counted under, as the `type` label of `llm_error_total`.
///
/// The set is closed on purpose: a dashboard or an alert can list every value, and a provider's
/// own error vocabulary is mapped onto it rather than leaking into label values.
public enum ErrorClass: String, Sendable, CaseIterable, Codable {
    /// The probe's deadline passed: a slow first token, a stream that stalled, or a slow body.
    case timeout
    /// No HTTP response: refused, reset, DNS or TLS failure before a status line arrived.
    case connection
    /// HTTP 429 or a provider's rate-limit error event.
    case rateLimit = "rate_limit"
    /// HTTP 401 or 403: a missing, wrong or unauthorised credential.
    case auth
    /// Any other 4xx: the request itself was rejected (unknown model, bad parameter).
    case badRequest = "bad_request"
    /// 5xx, Anthropic's 529 `overloaded_error`, or an error event inside a stream.
    case serverError = "server_error"
    /// The response could not be understood: bad JSON, an oversized body, or a stream cut off
    /// before its end event.
    case invalidResponse = "invalid_response"
}

/// Why a probe failed, with enough context to act on and nothing secret.
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    /// The class the failure is counted under.
    public var errorClass: ErrorClass
    /// A one-line, human-readable explanation (already free of credentials).
    public var message: String
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// For rate limits: how long the provider asked us to wait (`retry-after`).
    public var retryAfter: Duration?

    /// Creates an error of a class with a message.
    public init(_ errorClass: ErrorClass, _ message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "\(errorClass.rawValue): \(message)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text
    }

    /// The call did not complete within `timeout`, the check's deadline.
    public static func deadlineExceeded(_ timeout: Duration) -> ProbeError {
        ProbeError(.timeout, "no complete answer within \(timeout.seconds)s")
    }

    /// Maps an HTTP status that is not 2xx onto an error class, as the issue defines them; a
    /// redirect, which the probe does not follow, is an invalid response.
    public static func classify(httpStatus: Int) -> ErrorClass {
        switch httpStatus {
        case 300..<400: return .invalidResponse
        case 429: return .rateLimit
        case 401, 403: return .auth
        // The model's proxy refused a plain http request: the model was not reached.
        case 407: return .connection
        case 400..<500: return .badRequest
        default: return .serverError
        }
    }
}
