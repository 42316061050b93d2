import Synchronization

/// Why a scrape loop stops.
enum StopReason: Sendable, Equatable {
    /// The target is gone (config reload, file_sd change): stale markers after two intervals, as
    /// Prometheus writes them.
    case removed
    /// A loop for the same target under a new config takes over: no stale markers, the series
    /// state moves to the successor.
    case replaced
    /// The scrape manager stops: stale markers at once.
    case shutdown
}

/// Stops a loop and wakes it from its sleeps. `shutdown` overrides `removed` (a removed loop
/// waiting to write its stale markers writes them at once when the manager stops).
final class LoopControl: Sendable {
    private struct State {
        var reason: StopReason?
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Why the loop was told to stop, if it was.
    var reason: StopReason? { state.withLock { $0.reason } }

    /// Tells the loop to stop for `reason` and wakes it.
    func stop(_ reason: StopReason) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            switch (state.reason, reason) {
            case (nil, _), (.removed?, .shutdown): state.reason = reason
            default: return []
            }
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps until `deadline`, returning early when `stop` is called (or the task is
    /// cancelled, which counts as a shutdown). Returns the stop reason, or nil when the deadline came.
    ///
    /// With `whileStopped`, a loop that is already stopping sleeps on and wakes early only on a
    /// new `stop` (a removed loop waiting to write stale markers, woken by a shutdown).
    func sleep(until deadline: ContinuousClock.Instant, whileStopped: Bool = false) async -> StopReason? {
        let generation = state.withLock { $0.generation }
        if !whileStopped, let reason { return reason }
        if Task.isCancelled { return .shutdown }
        let woken = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            group.addTask {
                await self.waitForStop(after: generation)
                return true
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if Task.isCancelled { return .shutdown }
        return woken ? reason : nil
    }

    private func waitForStop(after generation: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// An event that happens once and that any number of tasks can wait for.
final class OneShotEvent: Sendable {
    private struct State {
        var happened = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Whether it has happened.
    var hasHappened: Bool { state.withLock { $0.happened } }

    /// Marks it as happened and wakes every waiter.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.happened = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once it has happened.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.happened { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
