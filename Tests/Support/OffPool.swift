import Foundation

/// Runs `body` on a thread of its own and awaits its result.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core (two
/// here). A test that blocks a thread (waiting for a child process, reading a pipe, seconds of
/// CPU-bound conformance checks) would stall every timing-sensitive test beside it; such work
/// goes through here instead.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
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
    let executor = DedicatedThreadExecutor()
    defer { executor.shutdown() }
    return try await withTaskExecutorPreference(executor) { try await body() }
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
    try await offPool {
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
