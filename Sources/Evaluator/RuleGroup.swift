import PromQL
import Series

/// One rule as written in a rule file: a recording rule (`record`) or an alerting rule (`alert`).
public struct Rule: Sendable {
    /// Whether the rule records a series or raises alerts.
    public enum Kind: Sendable, Equatable {
        /// `record:` — the result is written back under `name`.
        case recording
        /// `alert:` — each result series is an alert named `name`.
        case alerting
    }

    /// Recording or alerting.
    public var kind: Kind
    /// The record name (a metric name) or the alert name.
    public var name: String
    /// The PromQL text as written.
    public var exprText: String
    /// The parsed expression.
    public var expr: Expr
    /// How long an alert stays pending before it fires, in milliseconds (0 fires at once).
    public var holdDuration: Int64
    /// How long a firing alert keeps firing after its condition cleared, in milliseconds.
    public var keepFiringFor: Int64
    /// Labels added to (or replacing) those of each result; templates for alerting rules.
    public var labels: [(name: String, value: String)]
    /// Annotations of alerting rules, as templates.
    public var annotations: [(name: String, value: String)]
    /// 1-based line of the rule's `record`/`alert` value in its file, for messages.
    public var line: Int

    /// Creates a rule.
    public init(
        kind: Kind, name: String, exprText: String, expr: Expr, holdDuration: Int64 = 0,
        keepFiringFor: Int64 = 0, labels: [(name: String, value: String)] = [],
        annotations: [(name: String, value: String)] = [], line: Int = 0
    ) {
        self.kind = kind
        self.name = name
        self.exprText = exprText
        self.expr = expr
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        self.line = line
    }
}

/// A group of rules evaluated together, in order, at the group's interval.
public struct RuleGroup: Sendable {
    /// The group's name, unique within its file.
    public var name: String
    /// The file the group came from (as given to the loader).
    public var file: String
    /// The evaluation interval in milliseconds, or nil for the global default.
    public var interval: Int64?
    /// How far behind the evaluation time queries are run (`query_offset`), in milliseconds; nil
    /// for the global default.
    public var queryOffset: Int64?
    /// The most series a rule may produce (alerts for alerting rules); 0 for no limit.
    public var limit: Int
    /// Labels added to every rule's results (`labels` at group level); rule labels win.
    public var labels: [(name: String, value: String)]
    /// The rules in evaluation order.
    public var rules: [Rule]

    /// Creates a group.
    public init(
        name: String, file: String = "", interval: Int64? = nil, queryOffset: Int64? = nil,
        limit: Int = 0, labels: [(name: String, value: String)] = [], rules: [Rule]
    ) {
        self.name = name
        self.file = file
        self.interval = interval
        self.queryOffset = queryOffset
        self.limit = limit
        self.labels = labels
        self.rules = rules
    }
}
