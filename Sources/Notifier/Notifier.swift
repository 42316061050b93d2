import AsyncHTTPClient
import Exposition
import Foundation
import Logging
import Series
import ServiceLifecycle

/// Sends alerts to Alertmanagers (`POST /api/v2/alerts`), to plain webhooks (Alertmanager's
/// webhook payload, version 4), and to the log when neither is configured: Prometheus's
/// `notifier.Manager`, with delivery that survives an Alertmanager outage (see `DeliveryQueue`).
///
/// Every alert gets the external labels it lacks, then `alert_relabel_configs` (the `relabel`
/// option); an alert relabeled to nothing is not sent. Destinations can change while running
/// (a configuration reload); a destination that stays keeps its queue.
public actor Notifier: Service {
    /// How the notifier treats alerts.
    public struct Options: Sendable {
        /// Added to every alert that lacks them (`global.external_labels`).
        public var externalLabels: Labels = .empty
        /// `alert_relabel_configs`, applied after the external labels; nil drops the alert.
        public var relabel: (@Sendable (Labels) -> Labels?)?
        /// Items each destination holds before dropping the oldest
        /// (`--alertmanager.notification-queue-capacity`).
        public var queueCapacity = 10_000
        /// The `User-Agent` of every request.
        public var userAgent = "llmwatch"
        /// The receiver name and external URL written into webhook payloads.
        public var webhookReceiver = "llmwatch"
        /// llmwatch's own URL, written into webhook payloads.
        public var externalURL = ""
        /// How often a webhook hears again of a group that keeps firing, in milliseconds.
        public var repeatInterval: Int64 = 4 * 3_600_000
        /// Whether alert state changes are logged (always, when no destination is configured).
        public var logAlerts = false
        /// The longest wait between two attempts at a destination that keeps failing.
        public var maxBackoff: Duration = .seconds(30)

        /// The defaults.
        public init() {}
    }

    /// One destination's state, for the API and the web page.
    public struct DestinationStatus: Sendable, Equatable {
        /// `alertmanager` or `webhook`.
        public var kind: String
        /// The URL, without credentials.
        public var url: String
        /// Items waiting.
        public var queued: Int
        /// The last delivery error, nil once a delivery succeeds.
        public var lastError: String?
    }

    private typealias AlertQueue = DeliveryQueue<AlertmanagerEndpoint, UInt64>
    private typealias WebhookQueue = DeliveryQueue<WebhookEndpoint, String>

    private var options: Options
    private let client: HTTPClient
    private let logger: Logger
    private let metrics: NotifierMetrics
    /// The clients of destinations with TLS settings of their own.
    private var ownClients: [ClientConnection: HTTPClient] = [:]
    private var alertmanagers: [HTTPDestination: (queue: AlertQueue, task: Task<Void, Never>?)] = [:]
    private var webhooks: [HTTPDestination: (queue: WebhookQueue, task: Task<Void, Never>?)] = [:]
    private var grouper: AlertGrouper
    private var loggedStates: [UInt64: (startsAt: Int64, firing: Bool)] = [:]
    private var running = false

    /// A notifier sending with `client`; its metrics go to `registry`.
    public init(options: Options, client: HTTPClient, registry: MetricRegistry, logger: Logger) {
        self.options = options
        self.client = client
        self.logger = logger
        metrics = NotifierMetrics(registry: registry, capacity: options.queueCapacity)
        grouper = AlertGrouper(repeatInterval: options.repeatInterval)
    }

    /// Changes the external labels and the alert relabeling (a configuration reload).
    public func setRelabeling(externalLabels: Labels, relabel: (@Sendable (Labels) -> Labels?)?) {
        options.externalLabels = externalLabels
        options.relabel = relabel
    }

    /// Sets the Alertmanagers alerts go to (their full `.../api/v2/alerts` URLs).
    /// A destination with a ``HTTPDestination/connection`` of its own gets a client of its own,
    /// shut down when the destination goes away.
    public func setAlertmanagers(_ destinations: [HTTPDestination]) async {
        let wanted = Set(destinations)
        for (destination, entry) in alertmanagers where !wanted.contains(destination) {
            entry.task?.cancel()
            alertmanagers[destination] = nil
        }
        for destination in destinations where alertmanagers[destination] == nil {
            let endpoint = AlertmanagerEndpoint(
                destination: destination, client: client(for: destination), userAgent: options.userAgent)
            let queue = AlertQueue(
                endpoint: endpoint, capacity: options.queueCapacity, counters: metrics.counters, logger: logger,
                maxBackoff: options.maxBackoff)
            alertmanagers[destination] = (queue, running ? Task { await queue.run() } : nil)
        }
        metrics.discovered(alertmanagers.count)
        await shutDownClients(keeping: connectionsInUse)
    }

    /// The client that sends to `destination`: the shared one, or the destination's own.
    private func client(for destination: HTTPDestination) -> HTTPClient {
        guard let connection = destination.connection else { return client }
        if let existing = ownClients[connection] { return existing }
        let made = connection.makeClient()
        ownClients[connection] = made
        return made
    }

    /// The connections of the destinations sent to.
    private var connectionsInUse: Set<ClientConnection> {
        Set(alertmanagers.keys.compactMap(\.connection) + webhooks.keys.compactMap(\.connection))
    }

    /// Shuts down the destinations' own clients but those of `used`. A request still running
    /// on one (a removed destination's last attempt) fails as cancelled.
    private func shutDownClients(keeping used: Set<ClientConnection>) async {
        for (connection, unused) in ownClients where !used.contains(connection) {
            ownClients[connection] = nil
            try? await unused.shutdown()
        }
    }

    /// Sets the webhooks that receive Alertmanager-style payloads.
    public func setWebhooks(_ destinations: [HTTPDestination]) async {
        let wanted = Set(destinations)
        for (destination, entry) in webhooks where !wanted.contains(destination) {
            entry.task?.cancel()
            webhooks[destination] = nil
        }
        for destination in destinations where webhooks[destination] == nil {
            let endpoint = WebhookEndpoint(destination: destination, client: client(for: destination), userAgent: options.userAgent)
            let queue = WebhookQueue(
                endpoint: endpoint, capacity: options.queueCapacity, counters: metrics.counters, logger: logger,
                maxBackoff: options.maxBackoff)
            webhooks[destination] = (queue, running ? Task { await queue.run() } : nil)
        }
        await shutDownClients(keeping: connectionsInUse)
    }

    /// Hands the alerts of one rule evaluation (at `time`, milliseconds) to every destination.
    public func send(_ alerts: [PostableAlert], at time: Int64) async {
        var prepared: [PostableAlert] = []
        for var alert in alerts {
            var labels = alert.labels
            for label in options.externalLabels where !labels.has(label.name) {
                labels = labels.setting(label.name, to: label.value)
            }
            if let relabel = options.relabel {
                guard let relabeled = relabel(labels), !relabeled.isEmpty else { continue }
                labels = relabeled
            }
            alert.labels = labels
            prepared.append(alert)
        }
        for alert in prepared {
            let firing = !alert.isResolved(at: time)
            for entry in alertmanagers.values {
                await entry.queue.enqueue(alert, key: alert.fingerprint, firing: firing)
            }
        }
        if !webhooks.isEmpty {
            for group in grouper.ingest(prepared, at: time) {
                let payload = WebhookPayload(
                    receiver: options.webhookReceiver, groupLabels: group.groupLabels, alerts: group.alerts,
                    time: time, externalURL: options.externalURL)
                for entry in webhooks.values {
                    await entry.queue.enqueue(payload, key: payload.groupKey, firing: payload.status == "firing")
                }
            }
        }
        if options.logAlerts || (alertmanagers.isEmpty && webhooks.isEmpty) {
            logChanges(prepared, at: time)
        }
    }

    /// Logs each alert that starts firing or resolves, once.
    private func logChanges(_ alerts: [PostableAlert], at time: Int64) {
        for alert in alerts {
            let firing = !alert.isResolved(at: time)
            let fingerprint = alert.fingerprint
            if let last = loggedStates[fingerprint], last.startsAt == alert.startsAt, last.firing == firing { continue }
            if !firing && loggedStates[fingerprint] == nil { continue }
            loggedStates[fingerprint] = firing ? (alert.startsAt, true) : nil
            var metadata: Logger.Metadata = ["alert": "\(alert.labels.bracedDescription)"]
            for annotation in alert.annotations where ["summary", "description"].contains(annotation.name) {
                metadata[annotation.name] = "\(annotation.value)"
            }
            logger.warning(firing ? "alert firing" : "alert resolved", metadata: metadata)
        }
    }

    /// Every destination's queue and last error.
    public var destinations: [DestinationStatus] {
        get async {
            var out: [DestinationStatus] = []
            for (destination, entry) in alertmanagers.sorted(by: { $0.key.url < $1.key.url }) {
                out.append(
                    DestinationStatus(
                        kind: "alertmanager", url: destination.displayName, queued: await entry.queue.length,
                        lastError: await entry.queue.lastFailure))
            }
            for (destination, entry) in webhooks.sorted(by: { $0.key.url < $1.key.url }) {
                out.append(
                    DestinationStatus(
                        kind: "webhook", url: destination.displayName, queued: await entry.queue.length,
                        lastError: await entry.queue.lastFailure))
            }
            return out
        }
    }

    /// Delivers until graceful shutdown, then gives each destination one last attempt.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Starts the delivery loops (also done by `run()`).
    public func start() {
        running = true
        for (destination, entry) in alertmanagers where entry.task == nil {
            let queue = entry.queue
            alertmanagers[destination] = (queue, Task { await queue.run() })
        }
        for (destination, entry) in webhooks where entry.task == nil {
            let queue = entry.queue
            webhooks[destination] = (queue, Task { await queue.run() })
        }
    }

    /// Stops the delivery loops after their last attempt.
    public func stop() async {
        running = false
        let tasks = alertmanagers.values.compactMap(\.task) + webhooks.values.compactMap(\.task)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await shutDownClients(keeping: [])
    }
}
