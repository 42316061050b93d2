import PromQL
import Series

/// What the evaluator's web page shows, gathered by whoever runs the evaluator: the page
/// itself only renders these values.
public struct ConsoleModel: Sendable {
    /// A pending or firing alert.
    public struct Alert: Sendable {
        /// `alertname`.
        public var name: String
        /// All labels.
        public var labels: Labels
        /// The annotations (summary, description, runbook_url, ...).
        public var annotations: Labels
        /// `pending` or `firing`.
        public var state: String
        /// Since when it is active, milliseconds.
        public var activeAt: Int64
        /// The value of its expression.
        public var value: Double

        /// Creates an alert row.
        public init(name: String, labels: Labels, annotations: Labels, state: String, activeAt: Int64, value: Double) {
            self.name = name
            self.labels = labels
            self.annotations = annotations
            self.state = state
            self.activeAt = activeAt
            self.value = value
        }
    }

    /// One scrape target.
    public struct Target: Sendable {
        /// The scrape pool (job).
        public var pool: String
        /// The URL scraped.
        public var url: String
        /// `up`, `down` or `unknown`.
        public var health: String
        /// The last scrape, milliseconds, or nil before the first.
        public var lastScrape: Int64?
        /// How long the last scrape took, seconds.
        public var lastDuration: Double?
        /// The last error, if the last scrape failed.
        public var lastError: String?

        /// Creates a target row.
        public init(pool: String, url: String, health: String, lastScrape: Int64?, lastDuration: Double?, lastError: String?) {
            self.pool = pool
            self.url = url
            self.health = health
            self.lastScrape = lastScrape
            self.lastDuration = lastDuration
            self.lastError = lastError
        }
    }

    /// One rule.
    public struct Rule: Sendable {
        /// Its group.
        public var group: String
        /// The record or alert name.
        public var name: String
        /// `recording` or `alerting`.
        public var kind: String
        /// The expression.
        public var query: String
        /// `ok`, `err` or `unknown`.
        public var health: String
        /// The last error.
        public var lastError: String?
        /// The last evaluation, milliseconds.
        public var lastEvaluation: Int64?
        /// Seconds the last evaluation took.
        public var evaluationSeconds: Double?

        /// Creates a rule row.
        public init(
            group: String, name: String, kind: String, query: String, health: String, lastError: String?,
            lastEvaluation: Int64?, evaluationSeconds: Double?
        ) {
            self.group = group
            self.name = name
            self.kind = kind
            self.query = query
            self.health = health
            self.lastError = lastError
            self.lastEvaluation = lastEvaluation
            self.evaluationSeconds = evaluationSeconds
        }
    }

    /// One SLO and its error budget.
    public struct Objective: Sendable {
        /// `service/slo`.
        public var name: String
        /// What it promises.
        public var description: String
        /// The promised good fraction.
        public var objective: Double
        /// The period, for the burn-down chart's title (`30d`).
        public var period: String
        /// The good fraction achieved over the period, if known.
        public var compliance: Double?
        /// The share of the error budget left, if known (negative when overspent).
        public var budgetRemaining: Double?
        /// Burn rates by window (`5m`, `1h`, ...), shortest first.
        public var burnRates: [(window: String, rate: Double)]
        /// The budget remaining over time.
        public var burnDown: [MatrixSeries]

        /// Creates an SLO row.
        public init(
            name: String, description: String, objective: Double, period: String, compliance: Double?,
            budgetRemaining: Double?, burnRates: [(window: String, rate: Double)], burnDown: [MatrixSeries]
        ) {
            self.name = name
            self.description = description
            self.objective = objective
            self.period = period
            self.compliance = compliance
            self.budgetRemaining = budgetRemaining
            self.burnRates = burnRates
            self.burnDown = burnDown
        }
    }

    /// Charts of one model.
    public struct ModelCharts: Sendable {
        /// One chart.
        public struct Chart: Sendable {
            /// Its title.
            public var title: String
            /// The unit written on the axis.
            public var unit: String
            /// The series.
            public var series: [MatrixSeries]
            /// A line to draw (the SLA target), if any.
            public var threshold: Double?

            /// Creates a chart.
            public init(title: String, unit: String, series: [MatrixSeries], threshold: Double? = nil) {
                self.title = title
                self.unit = unit
                self.series = series
                self.threshold = threshold
            }
        }

        /// The model's configured name.
        public var model: String
        /// Its provider.
        public var provider: String
        /// Its charts.
        public var charts: [Chart]

        /// Creates a model section.
        public init(model: String, provider: String, charts: [Chart]) {
            self.model = model
            self.provider = provider
            self.charts = charts
        }
    }

    /// When the page was made, milliseconds.
    public var time: Int64
    /// The time range the charts cover, milliseconds.
    public var chartRange: Int64
    /// llmwatch's version.
    public var version: String
    /// Pending and firing alerts.
    public var alerts: [Alert] = []
    /// Scrape targets.
    public var targets: [Target] = []
    /// Rules.
    public var rules: [Rule] = []
    /// SLOs.
    public var objectives: [Objective] = []
    /// Per-model charts.
    public var models: [ModelCharts] = []
    /// Where alerts go (Alertmanager and webhook URLs), with each one's last delivery error.
    public var notifications: [(destination: String, queued: Int, lastError: String?)] = []

    /// An empty page at `time`.
    public init(time: Int64, chartRange: Int64, version: String) {
        self.time = time
        self.chartRange = chartRange
        self.version = version
    }
}
