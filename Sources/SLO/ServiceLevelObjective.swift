/// One service's SLOs, as a Sloth `prometheus/v1` spec declares them (the seed's
/// `slo-config.yaml` is read into the same model).
public struct SLOService: Sendable, Equatable {
    /// The service name (`sloth_service`).
    public var service: String
    /// Labels added to every generated rule.
    public var labels: [String: String]
    /// The objectives.
    public var slos: [ServiceLevelObjective]

    /// Creates a service.
    public init(service: String, labels: [String: String] = [:], slos: [ServiceLevelObjective]) {
        self.service = service
        self.labels = labels
        self.slos = slos
    }
}

/// One service level objective: what fraction of events must be good over a period.
public struct ServiceLevelObjective: Sendable, Equatable {
    /// How the error ratio is measured; queries carry `{{.window}}` where the window goes.
    public enum Indicator: Sendable, Equatable {
        /// Bad events over all events (Sloth's `sli.events`).
        case events(errorQuery: String, totalQuery: String)
        /// A query giving the error ratio directly (Sloth's `sli.raw.error_ratio_query`).
        case raw(errorRatioQuery: String)
    }

    /// One of the two multi-window alerts (page or ticket).
    public struct Alert: Sendable, Equatable {
        /// Labels of this alert, added to the alerting labels.
        public var labels: [String: String]
        /// Annotations of this alert, added to the alerting annotations.
        public var annotations: [String: String]
        /// Whether the alert is left out.
        public var disabled: Bool

        /// Creates an alert.
        public init(labels: [String: String] = [:], annotations: [String: String] = [:], disabled: Bool = false) {
            self.labels = labels
            self.annotations = annotations
            self.disabled = disabled
        }
    }

    /// The SLO's name (`sloth_slo`), unique within its service.
    public var name: String
    /// What it promises, for people.
    public var description: String
    /// The fraction of good events promised, in (0, 1): 0.999 for "99.9%".
    public var objective: Double
    /// The fraction of events allowed to fail, `1 - objective` (computed as Sloth computes it
    /// from a percentage, `(100 - percent) / 100`, so thresholds are the same bits).
    public var errorBudget: Double
    /// The period the objective covers, in milliseconds (30 days by default).
    public var period: Int64
    /// How errors are measured.
    public var indicator: Indicator
    /// Labels added to this SLO's rules.
    public var labels: [String: String]
    /// The alert name; nil generates no alerts.
    public var alertName: String?
    /// Labels and annotations of both alerts.
    public var alertLabels: [String: String]
    /// Annotations of both alerts.
    public var alertAnnotations: [String: String]
    /// The fast-burn alert (14.4x over 1h/5m and 6x over 6h/30m for 30 days).
    public var page: Alert
    /// The slow-burn alert (3x over 1d/2h and 1x over 3d/6h for 30 days).
    public var ticket: Alert

    /// Creates an SLO.
    public init(
        name: String, description: String = "", objective: Double, errorBudget: Double? = nil,
        period: Int64 = 30 * 86_400_000,
        indicator: Indicator, labels: [String: String] = [:], alertName: String? = nil,
        alertLabels: [String: String] = [:], alertAnnotations: [String: String] = [:], page: Alert = Alert(),
        ticket: Alert = Alert()
    ) {
        self.name = name
        self.description = description
        self.objective = objective
        self.errorBudget = errorBudget ?? 1 - objective
        self.period = period
        self.indicator = indicator
        self.labels = labels
        self.alertName = alertName
        self.alertLabels = alertLabels
        self.alertAnnotations = alertAnnotations
        self.page = page
        self.ticket = ticket
    }
}
