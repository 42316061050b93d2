#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// Runs actions at deadlines on one thread of its own, so that the probe's event loop keeps no
/// timer while a response streams in.
///
/// An event loop with any scheduled task reads the clock on every tick, to know which tasks are
/// due and how long to sleep, and an exchange's deadline or an idle connection's timeout would
/// be such a task for as long as a probe runs. A paced stream's every event is a tick that wakes
/// to cold caches, where the first clock read costs some 2 µs on the machine the benchmarks run
/// on (Benchmarks/README.md, ProbeOverhead): a tenth of a millisecond per probed request. Here
/// the alarms sleep on a condition variable instead, and a new alarm wakes the thread only when
/// it is due before the one the thread sleeps for; a cancelled alarm is only taken off the list,
/// and the thread, woken for it in vain, sleeps on until the next one. Timeouts of seconds to
/// minutes are what it is for: an action runs on this thread, so it should only hand its work
/// to where it belongs (an event loop's `execute`).
final class AlarmClock: @unchecked Sendable {
    /// A set alarm, to cancel.
    struct Alarm: Sendable, Equatable {
        fileprivate let id: UInt64
        fileprivate let clock: AlarmClock

        /// Takes the alarm off the list, unless it went off already (an action that has started
        /// runs to its end: it must check that it is still wanted).
        func cancel() { clock.cancel(id) }

        static func == (lhs: Alarm, rhs: Alarm) -> Bool { lhs.id == rhs.id && lhs.clock === rhs.clock }
    }

    /// The process's alarm clock, started on first use, running for as long as the process.
    static let shared = AlarmClock(threadName: "llmwatch-alarms")

    private struct Entry {
        let deadline: Int64
        let id: UInt64
        let action: @Sendable (Alarm) -> Void
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    /// The alarms not gone off, earliest first.
    private var entries: [Entry] = []
    private var nextID: UInt64 = 0
    /// Until when the thread sleeps: `Int64.max` without an alarm, `Int64.min` while it is awake.
    private var sleepsUntil = Int64.min

    /// Starts a clock's thread, which is never stopped: the process has one clock,
    /// ``shared`` (tests make their own, so that no other test's alarm wakes its thread).
    init(threadName: String) {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        // Named from within: a name given before the start does not reach the system's thread.
        Thread { [self] in
            Thread.current.name = threadName
            run()
        }.start()
    }

    /// Sets an alarm that runs `action` on the clock's thread once `delay` has passed, passing
    /// it the alarm (for an action that checks the alarm is still the one wanted).
    func set(after delay: Duration, _ action: @escaping @Sendable (Alarm) -> Void) -> Alarm {
        let (seconds, attoseconds) = delay.components
        let deadline = Self.now() &+ seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
        pthread_mutex_lock(mutex)
        nextID += 1
        let id = nextID
        let index = entries.firstIndex { $0.deadline > deadline } ?? entries.endIndex
        entries.insert(Entry(deadline: deadline, id: id, action: action), at: index)
        let wakeUp = deadline < sleepsUntil
        pthread_mutex_unlock(mutex)
        if wakeUp { pthread_cond_signal(condition) }
        return Alarm(id: id, clock: self)
    }

    private func cancel(_ id: UInt64) {
        pthread_mutex_lock(mutex)
        entries.removeAll { $0.id == id }
        pthread_mutex_unlock(mutex)
    }

    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            guard let first = entries.first else {
                sleepsUntil = .max
                pthread_cond_wait(condition, mutex)
                sleepsUntil = .min
                continue
            }
            if first.deadline <= Self.now() {
                entries.removeFirst()
                pthread_mutex_unlock(mutex)
                first.action(Alarm(id: first.id, clock: self))
                pthread_mutex_lock(mutex)
                continue
            }
            sleepsUntil = first.deadline
            var until = timespec(tv_sec: Int(first.deadline / 1_000_000_000), tv_nsec: Int(first.deadline % 1_000_000_000))
            pthread_cond_timedwait(condition, mutex, &until)
            sleepsUntil = .min
        }
    }

    /// Nanoseconds on the clock the condition variable waits on: the monotonic clock on Linux,
    /// the wall clock elsewhere (where a condition variable cannot be given another clock).
    private static func now() -> Int64 {
        var time = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_MONOTONIC, &time)
        #else
        clock_gettime(CLOCK_REALTIME, &time)
        #endif
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
