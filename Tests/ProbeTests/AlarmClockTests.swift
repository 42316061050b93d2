import Synchronization
import Testing

@testable import Probe

/// ``AlarmClock``: alarms go off in deadline order, an earlier alarm than the one its thread
/// sleeps for wakes it, and a cancelled one never goes off.
@Suite struct AlarmClockTests {
    /// A clock of the test's own, whose thread no other test's alarm wakes.
    let clock = AlarmClock(threadName: "test-alarms")

    @Test func anEarlierAlarmGoesOffWhileALaterOneIsWaitedFor() async throws {
        let fired = Mutex<[String]>([])
        let later = clock.set(after: .seconds(30)) { _ in fired.withLock { $0.append("later") } }
        defer { later.cancel() }
        // Gives the thread time to go to sleep for the later alarm.
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        let arrived = Mutex<Duration?>(nil)
        _ = clock.set(after: .milliseconds(100)) { _ in
            arrived.withLock { $0 = ContinuousClock.now - start }
            fired.withLock { $0.append("earlier") }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while arrived.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

        let after = try #require(arrived.withLock { $0 }, "the earlier alarm did not go off")
        #expect(after >= .milliseconds(100), "it went off before its time")
        #expect(after < .seconds(5), "it waited for the later alarm's thread to wake up")
        #expect(fired.withLock { $0 } == ["earlier"])
    }

    @Test func aCancelledAlarmNeverGoesOffAndTheOthersDoInOrder() async throws {
        let fired = Mutex<[Int]>([])
        let alarms = (0..<5).map { index in
            clock.set(after: .milliseconds(200 - 30 * index)) { _ in fired.withLock { $0.append(index) } }
        }
        alarms[2].cancel()
        let deadline = ContinuousClock.now + .seconds(10)
        while fired.withLock({ $0.count }) < 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))

        #expect(fired.withLock { $0 } == [4, 3, 1, 0], "earliest first, the cancelled one left out")
    }

    @Test func anAlarmIsHandedItselfAndEqualsOnlyItself() async throws {
        let handed = Mutex<AlarmClock.Alarm?>(nil)
        let alarm = clock.set(after: .milliseconds(10)) { alarm in handed.withLock { $0 = alarm } }
        let other = clock.set(after: .seconds(30)) { _ in }
        other.cancel()
        let deadline = ContinuousClock.now + .seconds(10)
        while handed.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

        #expect(handed.withLock { $0 } == alarm)
        #expect(alarm != other)
    }
}
