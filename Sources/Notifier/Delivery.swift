import Foundation
import Logging

/// How one attempt to deliver a batch went.
public enum DeliveryResult: Sendable, Equatable {
    /// The destination took the batch.
    case delivered
    /// The destination refused the batch for good (a 4xx answer): retrying cannot help.
    case rejected(String)
    /// The destination could not be reached or failed (timeout, connection, 5xx): try again.
    case failed(String)
}

/// Sends batches to one destination (an Alertmanager, a webhook): one HTTP request each.
public protocol DeliveryEndpoint: Sendable {
    /// The item a batch is made of.
    associatedtype Item: Sendable
    /// How the destination is named in logs and metrics (its URL, without credentials).
    var name: String { get }
    /// The most items one request carries.
    var batchLimit: Int { get }
    /// Sends one batch.
    func deliver(_ batch: [Item]) async -> DeliveryResult
}

/// Counters a delivery loop reports into.
public struct DeliveryCounters: Sendable {
    /// Items delivered.
    public var sent: @Sendable (_ destination: String, _ count: Int) -> Void = { _, _ in }
    /// Failed requests.
    public var errors: @Sendable (_ destination: String) -> Void = { _ in }
    /// Items given up on (queue overflow, refused batches, shutdown).
    public var dropped: @Sendable (_ destination: String, _ count: Int) -> Void = { _, _ in }
    /// Seconds one request took.
    public var latency: @Sendable (_ destination: String, _ seconds: Double) -> Void = { _, _ in }
    /// Items now waiting.
    public var queued: @Sendable (_ destination: String, _ count: Int) -> Void = { _, _ in }

    /// Counters that count nothing.
    public init() {}
}

/// The queue and delivery loop of one destination.
///
/// Unlike Prometheus, which drops a batch when an Alertmanager does not answer, a failed batch
/// stays queued and is retried with exponential backoff (1 s doubling to `maxBackoff`) until
/// it is delivered; the queue is bounded, and what overflows is counted and logged.
public actor DeliveryQueue<Endpoint: DeliveryEndpoint, Key: Hashable & Sendable> {
    /// The destination.
    public nonisolated let endpoint: Endpoint
    private var queue: CoalescingQueue<Key, Endpoint.Item>
    private let counters: DeliveryCounters
    private let logger: Logger
    private let maxBackoff: Duration
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var lastError: String?
    private var lastDropLog: ContinuousClock.Instant?

    /// A queue of `capacity` items for `endpoint`.
    public init(
        endpoint: Endpoint, capacity: Int, counters: DeliveryCounters, logger: Logger,
        maxBackoff: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        queue = CoalescingQueue(capacity: capacity)
        self.counters = counters
        self.logger = logger
        self.maxBackoff = maxBackoff
    }

    /// Items waiting.
    public var length: Int { queue.count }

    /// The error of the last failed attempt, cleared by a delivery.
    public var lastFailure: String? { lastError }

    /// Queues `item` under `key` (`firing` tells a state change from a resend).
    public func enqueue(_ item: Endpoint.Item, key: Key, firing: Bool) {
        let dropped = queue.add(item, key: key, firing: firing)
        if !dropped.isEmpty {
            counters.dropped(endpoint.name, dropped.count)
            let now = ContinuousClock.now
            if lastDropLog.map({ now - $0 > .seconds(10) }) ?? true {
                lastDropLog = now
                logger.warning(
                    "notification queue full, dropping the oldest",
                    metadata: ["destination": "\(endpoint.name)", "dropped": "\(dropped.count)"])
            }
        }
        counters.queued(endpoint.name, queue.count)
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Delivers until the task is cancelled; then makes one last attempt for what waits (the
    /// graceful drain on SIGTERM) and counts what is still undelivered as dropped.
    public func run() async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            if queue.isEmpty {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled || !queue.isEmpty {
                            continuation.resume()
                        } else {
                            wakeUp = continuation
                        }
                    }
                } onCancel: {
                    Task { await self.cancelWait() }
                }
                continue
            }
            if await attempt() {
                backoff = .seconds(1)
            } else {
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, maxBackoff)
            }
        }
        while !queue.isEmpty, await attempt() {}
        if !queue.isEmpty {
            counters.dropped(endpoint.name, queue.count)
            logger.warning(
                "notifications undelivered at shutdown",
                metadata: ["destination": "\(endpoint.name)", "count": "\(queue.count)"])
        }
    }

    private func cancelWait() {
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Sends the oldest batch; returns whether the loop may go straight on.
    private func attempt() async -> Bool {
        let batch = queue.peek(limit: endpoint.batchLimit)
        let started = ContinuousClock.now
        let result = await endpoint.deliver(batch.map(\.item))
        let elapsed = ContinuousClock.now - started
        counters.latency(endpoint.name, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        switch result {
        case .delivered:
            queue.confirm(batch)
            counters.queued(endpoint.name, queue.count)
            counters.sent(endpoint.name, batch.count)
            if lastError != nil {
                logger.info("notifications delivered again", metadata: ["destination": "\(endpoint.name)"])
            }
            lastError = nil
            return true
        case .rejected(let reason):
            queue.confirm(batch)
            counters.queued(endpoint.name, queue.count)
            counters.errors(endpoint.name)
            counters.dropped(endpoint.name, batch.count)
            lastError = reason
            logger.error(
                "destination refused notifications; dropped",
                metadata: ["destination": "\(endpoint.name)", "count": "\(batch.count)", "err": "\(reason)"])
            return true
        case .failed(let reason):
            counters.errors(endpoint.name)
            if lastError == nil {
                logger.warning(
                    "cannot deliver notifications; retrying with backoff",
                    metadata: ["destination": "\(endpoint.name)", "err": "\(reason)"])
            }
            lastError = reason
            return false
        }
    }
}
