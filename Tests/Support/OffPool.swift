import Foundation

/// Runs `body` on a thread of its own and awaits its result.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core (two
/// here). A test that blocks a thread (waiting for a child process, reading a pipe, seconds of
/// CPU-bound conformance checks) would stall every timing-sensitive test beside it; such work
/// goes through here instead.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await HeavyWork.limited {
        try await onThread(body)
    }
}

private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Runs the async `body` with a thread of its own as its preferred executor, so that its
/// CPU-bound stretches (rule unit tests, long evaluations) leave the cooperative pool to the
/// tests beside it. Actors `body` calls still run where they always run.
public func offPool<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await HeavyWork.limited {
        let executor = DedicatedThreadExecutor()
        defer { executor.shutdown() }
        return try await withTaskExecutorPreference(executor) { try await body() }
    }
}

/// Lets one heavy job (CPU-bound work, a child process such as promtool) run at a time, by
/// default: on two cores, a dozen of them at once would starve the timing-sensitive tests
/// beside them (scrapes with one-second timeouts, streams timed to the millisecond) however
/// they are scheduled. `LLMWATCH_TEST_HEAVY_JOBS` sets another limit.
public enum HeavyWork {
    private actor Permits {
        private var available: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(_ count: Int) { available = max(1, count) }

        func acquire() async {
            if available > 0 {
                available -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty {
                available += 1
            } else {
                waiting.removeFirst().resume()
            }
        }
    }

    private static let permits = Permits(
        ProcessInfo.processInfo.environment["LLMWATCH_TEST_HEAVY_JOBS"].flatMap(Int.init) ?? 1)

    @TaskLocal private static var holding = false

    /// Runs `body` once a permit is free (at once when the caller already holds one).
    public static func limited<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if holding { return try await body() }
        await permits.acquire()
        do {
            let result = try await $holding.withValue(true) { try await body() }
            await permits.release()
            return result
        } catch {
            await permits.release()
            throw error
        }
    }
}

/// A task executor that runs every job on one dedicated thread, in order.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// Starts the thread.
    public init() {
        let thread = Thread { [self] in loop() }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues `job`.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Lets the thread end once the jobs queued so far have run.
    public func shutdown() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// What a finished program printed and how it exited.
public struct ProgramResult: Sendable {
    /// Standard output and standard error, interleaved.
    public var output: String
    /// The exit status.
    public var status: Int32
}

/// Runs `executable` to completion with `input` on its standard input, off the cooperative pool.
public func runProgram(
    _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
    workingDirectory: URL? = nil
) async throws -> ProgramResult {
    try await offPool { () throws -> ProgramResult in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            // Written from another thread so that a program printing much before reading all
            // of its input cannot deadlock against us.
            let writer = Thread {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
            writer.start()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProgramResult(output: String(decoding: data, as: UTF8.self), status: process.terminationStatus)
    }
}
