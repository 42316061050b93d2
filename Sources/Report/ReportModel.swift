import PromQL
import Series

/// What a report says about one period: the seeds' executive summary, per-model figures with
/// the previous period beside them, SLA compliance, SLOs, incidents and trends.
public struct ReportModel: Sendable {
    /// Figures of one model over one period.
    public struct ModelFigures: Sendable, Equatable {
        /// The model's configured name.
        public var model: String
        /// Its provider.
        public var provider: String
        /// Requests sent.
        public var requests: Double?
        /// Failed requests.
        public var errors: Double?
        /// Mean request duration of successful requests, seconds.
        public var meanLatency: Double?
        /// 95th percentile request duration, seconds.
        public var p95Latency: Double?
        /// 95th percentile time to first token, seconds.
        public var p95TimeToFirstToken: Double?
        /// Cost, USD.
        public var cost: Double?
        /// Share of probes that succeeded.
        public var availability: Double?
        /// The configured SLA target, seconds.
        public var slaTarget: Double?
        /// Share of checked answers that were right.
        public var accuracy: Double?

        /// Failed share of requests.
        public var errorRatio: Double? {
            guard let requests, requests > 0, let errors else { return nil }
            return errors / requests
        }

        /// Creates an empty row.
        public init(model: String, provider: String) {
            self.model = model
            self.provider = provider
        }
    }

    /// One SLA check of one model: a promise, what was measured, and the verdict.
    public struct ComplianceCheck: Sendable, Equatable {
        /// The model.
        public var model: String
        /// The promise (`Response time`, `Availability`, ...).
        public var metric: String
        /// The target as written (`< 2s`, `> 99.9%`).
        public var target: String
        /// What was measured, as written.
        public var measured: String
        /// Whether the promise was kept; nil when there was no data.
        public var passed: Bool?
    }

    /// One SLO at the end of the period.
    public struct Objective: Sendable, Equatable {
        /// `service/slo`.
        public var name: String
        /// The promised good fraction.
        public var objective: Double?
        /// The good fraction achieved over the SLO's period.
        public var compliance: Double?
        /// The share of the error budget left.
        public var budgetRemaining: Double?
    }

    /// An alert that fired during the period.
    public struct Incident: Sendable, Equatable {
        /// `alertname`.
        public var alert: String
        /// `severity`, if set.
        public var severity: String
        /// The alert's other labels, `name=value` joined.
        public var labels: String
        /// When it started firing (milliseconds; the first sample seen in the period).
        public var start: Int64
        /// When it stopped (milliseconds), or nil if it still fired at the end.
        public var end: Int64?
    }

    /// The period, milliseconds.
    public var from: Int64
    /// See `from`.
    public var to: Int64
    /// Where the figures came from (the API's URL).
    public var source: String
    /// Each model in the period.
    public var models: [ModelFigures] = []
    /// The same models in the period before, for the changes.
    public var previous: [ModelFigures] = []
    /// SLA compliance.
    public var compliance: [ComplianceCheck] = []
    /// SLOs.
    public var objectives: [Objective] = []
    /// Incidents.
    public var incidents: [Incident] = []
    /// Trend charts: title, unit and series.
    public var trends: [(title: String, unit: String, series: [MatrixSeries])] = []
    /// Queries that failed, with their errors (the report says what it could not measure).
    public var failures: [String] = []

    /// An empty report of `from...to`.
    public init(from: Int64, to: Int64, source: String) {
        self.from = from
        self.to = to
        self.source = source
    }

    /// Sums over all models of `figure`, nil when no model has it.
    public func total(_ figure: KeyPath<ModelFigures, Double?>, previous: Bool = false) -> Double? {
        let values = (previous ? self.previous : models).compactMap { $0[keyPath: figure] }
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}
