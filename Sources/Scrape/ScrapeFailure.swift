/// Why a scrape failed, with the text Prometheus shows for the same failure (kept per target as
/// `lastError`).
public struct ScrapeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it was, for counters and tests.
    public enum Kind: String, Sendable, Equatable {
        /// The connection could not be made or broke.
        case connection
        /// The scrape took longer than `scrape_timeout`.
        case timeout
        /// The target answered with a status other than 200.
        case httpStatus
        /// The uncompressed body reached `body_size_limit`.
        case bodySizeLimit
        /// The page does not parse, or a series has no name or invalid names.
        case parse
        /// More samples than `sample_limit` after metric relabeling.
        case sampleLimit
        /// A series broke `label_limit`, `label_name_length_limit` or `label_value_length_limit`.
        case labelLimit
        /// The job has more targets than `target_limit`.
        case targetLimit
        /// Credentials or TLS files could not be read.
        case configuration
    }

    /// The kind.
    public let kind: Kind
    /// The message, as Prometheus words it where it has a word for it.
    public let message: String

    /// Creates a failure.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Prometheus's `errSampleLimit`.
    static let sampleLimitExceeded = ScrapeFailure(.sampleLimit, "sample limit exceeded")
    /// Prometheus's `errBodySizeLimit`.
    static let bodySizeLimitExceeded = ScrapeFailure(.bodySizeLimit, "body size limit exceeded")
}
