import PromQL
import Series

/// Loads rule files and runs every group on its own schedule, keeping the latest state of each
/// group for the HTTP API (`/api/v1/rules`, `/api/v1/alerts`) and the notifier: Prometheus's
/// `rules.Manager`.
public actor RuleManager {
    /// What the manager knows about one group after its latest evaluation.
    public struct GroupStatus: Sendable {
        /// The group's state: rules, alerts, last errors.
        public var evaluator: RuleGroupEvaluator
        /// When it was last evaluated (milliseconds), or nil before the first evaluation.
        public var lastEvaluation: Int64?
        /// How long the last evaluation took.
        public var lastDuration: Duration?
        /// Evaluation slots skipped because an evaluation overran (Prometheus's
        /// `prometheus_rule_group_iterations_missed_total`).
        public var missedIterations: Int64 = 0
    }

    /// Called with the alerts to send after each group evaluation (to hand to the notifier).
    public typealias NotifyFunction = @Sendable ([Alert]) async -> Void

    private var groups: [String: GroupStatus] = [:]
    private var order: [String] = []
    /// The interval of groups that set none, in milliseconds.
    public let defaultInterval: Int64
    private let externalLabels: [String: String]
    private let externalURL: String
    private let restoreSource: (any SeriesSource)?
    private var loadedOnce = false

    /// Creates a manager; `defaultInterval` is the global `evaluation_interval` in milliseconds.
    /// With `restoreFrom`, groups of the first load restore alert `for` state from the
    /// `ALERTS_FOR_STATE` series stored there, after their second evaluation.
    public init(
        defaultInterval: Int64 = 60_000, externalLabels: [String: String] = [:], externalURL: String = "",
        restoreFrom: (any SeriesSource)? = nil
    ) {
        self.defaultInterval = defaultInterval
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.restoreSource = restoreFrom
    }

    /// Loads `files`, replacing the groups held; all files are validated before anything is
    /// replaced, so a bad file leaves the running rules as they were. Groups that keep their file
    /// and name keep their alert state, as in Prometheus.
    public func load(files: [String]) throws(RuleFileError) {
        var loaded: [RuleGroup] = []
        for file in files {
            loaded += try RuleFileLoader.load(path: file)
        }
        var next: [String: GroupStatus] = [:]
        var nextOrder: [String] = []
        for group in loaded {
            let key = Self.key(group)
            var evaluator = RuleGroupEvaluator(
                group: group, externalLabels: externalLabels, externalURL: externalURL)
            evaluator.defaultInterval = defaultInterval
            evaluator.restored = loadedOnce || restoreSource == nil
            if let old = groups[key], old.evaluator.group.rules.map(\.name) == group.rules.map(\.name) {
                evaluator.adoptState(from: old.evaluator)
            }
            next[key] = GroupStatus(evaluator: evaluator)
            nextOrder.append(key)
        }
        groups = next
        order = nextOrder
        loadedOnce = true
    }

    /// The groups in file order with their latest state.
    public var statuses: [GroupStatus] { order.compactMap { groups[$0] } }

    /// Every pending and firing alert of every group.
    public var activeAlerts: [Alert] {
        statuses.flatMap { status in
            status.evaluator.group.rules.indices.flatMap { status.evaluator.activeAlerts(ofRule: $0) }
        }
    }

    /// Runs every loaded group until the task is cancelled.
    public func run(engine: any QueryEngine, appender: any SampleAppender, notify: NotifyFunction? = nil) async {
        let runners = statuses.map { RuleGroupRunner(evaluator: $0.evaluator, defaultInterval: defaultInterval) }
        await withTaskGroup(of: Void.self) { tasks in
            for var runner in runners {
                tasks.addTask {
                    await runner.run(engine: engine, appender: appender, restoreFrom: self.restoreSource) { report in
                        await self.record(report)
                        let alerts = report.results.flatMap(\.alertsToSend)
                        if let notify, !alerts.isEmpty { await notify(alerts) }
                    }
                }
            }
        }
    }

    private func record(_ report: RuleGroupRunner.Report) {
        let key = Self.key(report.evaluator.group)
        guard var status = groups[key] else { return }
        status.evaluator = report.evaluator
        status.lastEvaluation = report.time
        status.lastDuration = report.duration
        status.missedIterations += report.missed
        groups[key] = status
    }

    private static func key(_ group: RuleGroup) -> String {
        group.file + ";" + group.name
    }
}
