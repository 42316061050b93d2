import Foundation
import NIOPosix
import Synchronization

/// Runs queries on threads of its own, at most `maxConcurrency` at once, so that CPU-bound
/// PromQL evaluation never occupies Swift's cooperative pool, where scrapes, rule evaluation
/// and the HTTP server run (Prometheus's `--query.max-concurrency` and its query queue).
///
/// Work beyond the limit waits in order; the wait is reported as `QueryTicket.queueTime`. A
/// caller whose task is cancelled (its request abandoned, the server stopping) flags its
/// ticket, which the work checks between evaluation steps.
public final class QueryExecutor: Sendable {
    /// The most queries evaluated at once.
    public let maxConcurrency: Int
    private let state: Mutex<State>
    private let wakeup = NSCondition()

    private struct State: ~Copyable {
        var queue: [Job] = []
        var threads = 0
        var idle = 0
        var running = 0
    }

    private struct Job: @unchecked Sendable {
        let run: () -> Void
    }

    /// Creates an executor; threads are started as work arrives, up to `maxConcurrency`.
    public init(maxConcurrency: Int) {
        self.maxConcurrency = max(1, maxConcurrency)
        state = Mutex(State())
    }

    /// Queries being evaluated right now.
    public var running: Int { state.withLock { $0.running } }

    /// Queries waiting for a thread.
    public var queued: Int { state.withLock { $0.queue.count } }

    /// Runs `body` on one of the executor's threads and returns its result. `body` receives a
    /// ticket telling how long the work waited and whether the caller has given up. A caller on
    /// an event loop is resumed on that loop, where its response is written.
    public func run<T: Sendable>(_ body: @escaping @Sendable (QueryTicket) throws -> T) async throws -> T {
        let ticket = QueryTicket(enqueued: .now)
        let caller = MultiThreadedEventLoopGroup.currentEventLoop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                submit(
                    Job {
                        ticket.started()
                        let result = Result { try body(ticket) }
                        if let caller {
                            caller.execute { continuation.resume(with: result) }
                        } else {
                            continuation.resume(with: result)
                        }
                    })
            }
        } onCancel: {
            ticket.cancel()
        }
    }

    private func submit(_ job: Job) {
        let startThread = state.withLock { state -> Bool in
            state.queue.append(job)
            if state.queue.count > state.idle, state.threads < maxConcurrency {
                state.threads += 1
                return true
            }
            return false
        }
        if startThread {
            let thread = Thread { [self] in work() }
            thread.name = "llmwatch-query"
            thread.stackSize = 16 << 20
            thread.start()
        }
        wakeup.withLock { wakeup.signal() }
    }

    private func work() {
        while true {
            let job = state.withLock { state -> Job? in
                guard !state.queue.isEmpty else {
                    state.idle += 1
                    return nil
                }
                state.running += 1
                return state.queue.removeFirst()
            }
            if let job {
                job.run()
                state.withLock { $0.running -= 1 }
                continue
            }
            wakeup.withLock {
                let hasWork = state.withLock { !$0.queue.isEmpty }
                if !hasWork { wakeup.wait() }
            }
            state.withLock { $0.idle -= 1 }
        }
    }
}

/// One piece of work on a `QueryExecutor`: when it was queued and started, and whether its
/// caller cancelled it.
public final class QueryTicket: Sendable {
    private let enqueued: ContinuousClock.Instant
    private let startedAt: Mutex<ContinuousClock.Instant?> = Mutex(nil)
    private let cancelled = Atomic<Bool>(false)

    init(enqueued: ContinuousClock.Instant) {
        self.enqueued = enqueued
    }

    func started() {
        startedAt.withLock { $0 = .now }
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Whether the caller gave up; the work should stop with `QueryError.canceled`.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// How long the work waited for a thread.
    public var queueTime: Duration {
        (startedAt.withLock { $0 } ?? .now) - enqueued
    }
}
