import Foundation
import PromQL
import Series
import TSDB

/// Prometheus's HTTP query API (`/api/v1/...`) over the embedded store, with Prometheus 3's JSON
/// shapes, parameters, error types and status codes, so that Grafana and other Prometheus
/// clients use llmwatch as a Prometheus data source.
///
/// Each endpoint is a function from the request's `FormValues` to an `APIAnswer` or an
/// `APIError`, so it can be called without HTTP; `PrometheusAPIRoutes` puts them on a router.
/// PromQL evaluation runs on a `QueryExecutor`, never on Swift's cooperative pool.
public struct PrometheusAPI: Sendable {
    /// Limits and facts the API reports; the defaults are Prometheus's.
    public struct Options: Sendable {
        /// The most queries evaluated at once (`--query.max-concurrency`).
        public var maxConcurrency = 20
        /// The longest a query may run (`--query.timeout`); a request's `timeout` can only shorten it.
        public var timeout: Duration = .seconds(120)
        /// The most samples a query may hold at once (`--query.max-samples`).
        public var maxSamples = 50_000_000
        /// How far back an instant selector looks, in milliseconds (`--query.lookback-delta`).
        public var lookbackDelta: Int64 = 300_000
        /// What `/api/v1/status/buildinfo` reports.
        public var buildInfo = BuildInfo(version: "unknown")
        /// The command-line flags `/api/v1/status/flags` reports, by name without dashes.
        public var flags: [String: String] = [:]
        /// The retention `/api/v1/status/runtimeinfo` reports, as written on the command line.
        public var storageRetention = ""

        /// Creates the defaults.
        public init() {}
    }

    /// What `/api/v1/status/buildinfo` reports (Prometheus's `PrometheusVersion`).
    public struct BuildInfo: Sendable {
        /// The version.
        public var version: String
        /// The source revision.
        public var revision: String
        /// The source branch.
        public var branch: String
        /// Who built the binary.
        public var buildUser: String
        /// When it was built.
        public var buildDate: String
        /// The compiler; Prometheus reports Go's version here, llmwatch Swift's.
        public var goVersion: String

        /// Creates build information; unknown fields are empty.
        public init(
            version: String, revision: String = "", branch: String = "", buildUser: String = "",
            buildDate: String = "", goVersion: String = ""
        ) {
            self.version = version
            self.revision = revision
            self.branch = branch
            self.buildUser = buildUser
            self.buildDate = buildDate
            self.goVersion = goVersion
        }
    }

    /// The store queried.
    public let db: DB
    /// The options.
    public let options: Options
    /// Where `/api/v1/metadata` reads metadata.
    public let metadata: any MetricMetadataSource
    /// The threads queries run on, shared with rule evaluation and the web page's charts.
    public let executor: QueryExecutor
    let metrics: QueryMetrics?
    let startTime: Date
    /// Whether the configuration last (re)loaded, for `/api/v1/status/runtimeinfo`.
    public let configStatus: ConfigLoadStatus
    /// The current time in milliseconds, for queries without `time`.
    let now: @Sendable () -> Int64

    /// An API over `db`. Queries are counted and timed in `metrics` when given.
    public init(
        db: DB, options: Options = Options(), metadata: any MetricMetadataSource = NoMetricMetadata(),
        metrics: QueryMetrics? = nil,
        now: @escaping @Sendable () -> Int64 = {
            Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        }
    ) {
        self.db = db
        self.options = options
        self.metadata = metadata
        self.metrics = metrics
        self.now = now
        executor = QueryExecutor(maxConcurrency: options.maxConcurrency)
        startTime = Date()
        configStatus = ConfigLoadStatus(loadedAt: startTime)
    }

    /// Runs `body` on the query threads, mapping its failures to API errors.
    func offPool<T: Sendable>(_ body: @escaping @Sendable (QueryTicket) throws -> T) async throws(APIError) -> T {
        do {
            return try await executor.run(body)
        } catch {
            throw Self.apiError(error)
        }
    }

    /// Runs `body` here, mapping its failures to API errors.
    func inPlace<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw Self.apiError(error)
        }
    }

    private static func apiError(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as QueryError: APIError(error)
        case is CancellationError: APIError(.canceled, QueryError.canceled.description)
        default: APIError(.internal, "\(error)")
        }
    }
}

/// A successful answer: the JSON of `data` and the annotations to attach.
public struct APIAnswer: Sendable {
    /// The rendered `data` value.
    public var data: [UInt8]
    /// Warnings, rendered as the envelope's `warnings`.
    public var warnings: [String] = []
    /// Informational notes, rendered as the envelope's `infos`.
    public var infos: [String] = []
    /// Answer with no body at all (HTTP 204), as Prometheus answers exemplar queries without selectors.
    public var noContent = false

    /// Creates an answer.
    public init(data: [UInt8], warnings: [String] = [], infos: [String] = []) {
        self.data = data
        self.warnings = warnings
        self.infos = infos
    }

    /// The answer with no content.
    static let empty: APIAnswer = {
        var answer = APIAnswer(data: [])
        answer.noContent = true
        return answer
    }()

    /// The whole response body: the success envelope.
    public var body: [UInt8] {
        PrometheusJSON.success(data: data, warnings: warnings, infos: infos)
    }
}
