import PromQL

/// A failed API request, with the `errorType` and HTTP status Prometheus gives it.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Prometheus's `errorType` values.
    public enum Kind: String, Sendable {
        /// A parameter is missing or wrong (400).
        case badData = "bad_data"
        /// The expression could not be evaluated (422).
        case execution
        /// The query ran out of time (503).
        case timeout
        /// The query was abandoned: its client went away or the server is stopping (499).
        case canceled
        /// Something failed inside llmwatch (500).
        case `internal`
        /// No such endpoint or object (404).
        case notFound = "not_found"
        /// The store is not ready (503).
        case unavailable
    }

    /// The error type.
    public var kind: Kind
    /// The message, worded as Prometheus words it.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `invalid parameter "name": message`, Prometheus's wording for a bad parameter.
    public static func invalidParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badData, "invalid parameter \"\(name)\": \(message)")
    }

    /// Maps an evaluation failure as Prometheus's `returnAPIError` does: cancellation and
    /// timeouts by their kind, everything else an execution error.
    public init(_ error: QueryError) {
        switch error {
        case .parse(let parse): self.init(.badData, parse.description)
        case .timeout: self.init(.timeout, error.description)
        case .canceled: self.init(.canceled, error.description)
        case .execution, .tooManySamples, .nativeHistogram: self.init(.execution, error.description)
        }
    }

    /// The HTTP status code, as in Prometheus 3 (`respondError`). A canceled query answers 499,
    /// nginx's "client closed request", which Prometheus 3 uses where 2.x used 503.
    public var status: Int {
        switch kind {
        case .badData: return 400
        case .execution: return 422
        case .timeout, .unavailable: return 503
        case .canceled: return 499
        case .internal: return 500
        case .notFound: return 404
        }
    }

    /// `errorType: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}
