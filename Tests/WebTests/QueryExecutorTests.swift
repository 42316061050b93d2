import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Web

/// The query threads: the concurrency limit holds, waiting work is timed, cancellation reaches it.
@Suite("Query executor")
struct QueryExecutorTests {
    @Test func runsAtMostMaxConcurrencyAtOnce() async throws {
        let executor = QueryExecutor(maxConcurrency: 2)
        let running = Shared()
        let peak = Shared()
        let queueTimes = try await withThrowingTaskGroup(of: Duration.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await executor.run { ticket in
                        let now = running.value.add(1, ordering: .relaxed).newValue
                        _ = peak.value.max(now, ordering: .relaxed)
                        Thread.sleep(forTimeInterval: 0.1)
                        running.value.subtract(1, ordering: .relaxed)
                        return ticket.queueTime
                    }
                }
            }
            var times: [Duration] = []
            for try await time in group { times.append(time) }
            return times
        }
        #expect(peak.value.load(ordering: .relaxed) <= 2)
        #expect(peak.value.load(ordering: .relaxed) >= 1)
        // Six jobs of 100 ms on two threads: some waited at least one job's length.
        #expect(queueTimes.contains { $0 >= .milliseconds(80) })
    }

    @Test func cancellingTheCallerFlagsTheTicket() async throws {
        let executor = QueryExecutor(maxConcurrency: 1)
        let started = Shared()
        let task = Task {
            try await executor.run { ticket -> Bool in
                started.value.store(1, ordering: .relaxed)
                let deadline = Date().addingTimeInterval(30)
                while !ticket.isCancelled, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
                return ticket.isCancelled
            }
        }
        while started.value.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        #expect(try await task.value == true)
    }
}

/// A counter the jobs of a test share.
final class Shared: Sendable {
    let value = Atomic<Int>(0)
}
