import Foundation
import PromQL
import Series

/// Loads rule files and runs every group on its own schedule, keeping the latest state of each
/// group for the HTTP API (`/api/v1/rules`, `/api/v1/alerts`), the web page and the notifier:
/// Prometheus's `rules.Manager`.
///
/// A reload validates every file before anything changes, so a bad file leaves the running
/// rules as they were. Groups that keep their file, name and rule names keep their alert state
/// across a reload, as in Prometheus; the others start afresh.
public actor RuleManager {
    /// Where rules come from.
    public enum Source: Sendable, Hashable {
        /// A rule file on disk, read again on every reload.
        case file(String)
        /// Rule file text held in memory (rules generated from SLO specs, embedded defaults),
        /// named as a file in messages and in `/api/v1/rules`.
        case text(name: String, yaml: String)
    }

    /// How groups are evaluated.
    public struct Options: Sendable {
        /// The interval of groups that set none (`global.evaluation_interval`), milliseconds.
        public var defaultInterval: Int64 = 60_000
        /// The `query_offset` of groups that set none (`global.rule_query_offset`), milliseconds.
        public var defaultQueryOffset: Int64 = 0
        /// `$externalLabels` in templates.
        public var externalLabels: [String: String] = [:]
        /// `$externalURL` in templates, and the base of alerts' generator URLs.
        public var externalURL = ""
        /// How often a firing alert is sent again (`--rules.alert.resend-delay`), milliseconds.
        public var resendDelay: Int64 = 60_000
        /// How far back `ALERTS_FOR_STATE` is read after a start (`--rules.alert.for-outage-tolerance`).
        public var outageTolerance: Int64 = 3_600_000
        /// The least time a restored alert waits before firing (`--rules.alert.for-grace-period`).
        public var gracePeriod: Int64 = 600_000

        /// Prometheus's defaults.
        public init() {}
    }

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
        /// Evaluations run since the group was loaded.
        public var iterations: Int64 = 0
    }

    /// Called with each group evaluation's report (to notify, export SLO state, count failures).
    public typealias Observer = @Sendable (RuleGroupRunner.Report) async -> Void

    private struct Running {
        var engine: any QueryEngine
        var appender: any SampleAppender
        var observer: Observer?
    }

    private var options: Options
    private let restoreSource: (any SeriesSource)?
    private var groups: [String: GroupStatus] = [:]
    private var order: [String] = []
    private var tasks: [String: Task<Void, Never>] = [:]
    private var running: Running?
    private var loadedOnce = false

    /// A manager evaluating as `options` say. With `restoreFrom`, groups of the first load
    /// restore alert `for` state from the `ALERTS_FOR_STATE` series stored there, after their
    /// second evaluation, as Prometheus does after a restart.
    public init(options: Options = Options(), restoreFrom: (any SeriesSource)? = nil) {
        self.options = options
        self.restoreSource = restoreFrom
    }

    /// Loads `sources`, replacing the groups held (and, while running, restarting the groups
    /// that changed). Throws the first invalid file's error, changing nothing.
    public func load(_ sources: [Source]) async throws(RuleFileError) {
        var loaded: [RuleGroup] = []
        var seen: [String: String] = [:]
        for source in sources {
            let groupsOfSource: [RuleGroup]
            switch source {
            case .file(let path): groupsOfSource = try RuleFileLoader.load(path: path)
            case .text(let name, let yaml): groupsOfSource = try RuleFileLoader.parse(yaml, file: name)
            }
            for group in groupsOfSource {
                let key = Self.key(group)
                if let other = seen[key] {
                    throw RuleFileError(file: group.file, messages: ["\(group.file): group \"\(group.name)\" is loaded twice (also from \(other))"])
                }
                seen[key] = group.file
            }
            loaded += groupsOfSource
        }
        var next: [String: GroupStatus] = [:]
        var nextOrder: [String] = []
        var previous: [String: GroupStatus] = [:]
        for group in loaded {
            let key = Self.key(group)
            if let task = tasks.removeValue(forKey: key) {
                task.cancel()
                await task.value
            }
            if let old = groups[key] { previous[key] = old }
        }
        for (key, task) in tasks {
            task.cancel()
            await task.value
            tasks[key] = nil
        }
        for group in loaded {
            let key = Self.key(group)
            var evaluator = RuleGroupEvaluator(
                group: group, externalLabels: options.externalLabels, externalURL: options.externalURL,
                defaultQueryOffset: options.defaultQueryOffset)
            evaluator.defaultInterval = options.defaultInterval
            evaluator.resendDelay = options.resendDelay
            evaluator.restored = loadedOnce || restoreSource == nil
            var status = GroupStatus(evaluator: evaluator)
            if let old = previous[key] ?? groups[key], old.evaluator.group.rules.map(\.name) == group.rules.map(\.name) {
                status.evaluator.adoptState(from: old.evaluator)
                status.evaluator.restored = old.evaluator.restored || evaluator.restored
                status.lastEvaluation = old.lastEvaluation
                status.lastDuration = old.lastDuration
            }
            next[key] = status
            nextOrder.append(key)
        }
        groups = next
        order = nextOrder
        loadedOnce = true
        if running != nil {
            for key in order { startGroup(key) }
        }
    }

    /// Changes how groups are evaluated from the next `load` on (a reload of
    /// `global.evaluation_interval` or `external_labels`).
    public func setOptions(_ options: Options) {
        self.options = options
    }

    /// Loads rule files from disk (see `load(_:)`).
    public func load(files: [String]) async throws(RuleFileError) {
        try await load(files.map { .file($0) })
    }

    /// The groups in load order with their latest state.
    public var statuses: [GroupStatus] { order.compactMap { groups[$0] } }

    /// Every pending and firing alert of every group.
    public var activeAlerts: [Alert] {
        statuses.flatMap { status in
            status.evaluator.group.rules.indices.flatMap { status.evaluator.activeAlerts(ofRule: $0) }
        }
    }

    /// Starts evaluating every group, querying `engine` and writing through `appender`;
    /// `observer` hears of every evaluation. Groups loaded later start as they load.
    public func start(engine: any QueryEngine, appender: any SampleAppender, observer: Observer? = nil) {
        running = Running(engine: engine, appender: appender, observer: observer)
        for key in order where tasks[key] == nil { startGroup(key) }
    }

    /// Stops every group after its evaluation in progress.
    public func stop() async {
        running = nil
        let stopping = tasks
        tasks = [:]
        for task in stopping.values { task.cancel() }
        for task in stopping.values { await task.value }
    }

    /// Runs until the calling task is cancelled (for use as a service).
    public func run(engine: any QueryEngine, appender: any SampleAppender, observer: Observer? = nil) async {
        start(engine: engine, appender: appender, observer: observer)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await stop()
    }

    private func startGroup(_ key: String) {
        guard let running, let status = groups[key] else { return }
        var runner = RuleGroupRunner(evaluator: status.evaluator, defaultInterval: options.defaultInterval)
        let restoreSource = restoreSource
        let outageTolerance = options.outageTolerance
        let gracePeriod = options.gracePeriod
        tasks[key] = Task {
            await runner.run(
                engine: running.engine, appender: running.appender, restoreFrom: restoreSource,
                outageTolerance: outageTolerance, gracePeriod: gracePeriod
            ) { report in
                await self.record(report, key: key)
                await running.observer?(report)
            }
        }
    }

    private func record(_ report: RuleGroupRunner.Report, key: String) {
        guard var status = groups[key] else { return }
        status.evaluator = report.evaluator
        status.lastEvaluation = report.time
        status.lastDuration = report.duration
        status.missedIterations += report.missed
        status.iterations += 1
        groups[key] = status
    }

    private static func key(_ group: RuleGroup) -> String {
        group.file + ";" + group.name
    }
}
