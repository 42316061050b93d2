import Foundation

/// A real process started by a test: output goes to a log file, and it is stopped by PID
/// (SIGTERM, then SIGKILL) when the test ends.
public final class ManagedProcess: @unchecked Sendable {
    /// The underlying process.
    public let process = Process()
    /// Where its standard output and error go.
    public let logURL: URL
    /// The name used in failures.
    public let name: String

    /// Starts `executable` with `arguments`, logging to a temporary file.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, name: String? = nil,
        workingDirectory: URL? = nil
    ) throws {
        self.name = name ?? URL(fileURLWithPath: executable).lastPathComponent
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "llmwatch-test-\(self.name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw TestFailure("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Everything the process has written so far.
    public var output: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace`; removes its log unless `keepLog`.
    public func stop(grace: Duration = .seconds(5), keepLog: Bool = false) async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + grace
            while process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
        if !keepLog { try? FileManager.default.removeItem(at: logURL) }
    }

    /// Waits for the process to exit by itself and returns its status.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(name) did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Polls the log until `pattern` (a regular expression) matches; returns the first capture
    /// group, or the whole match.
    public func waitForLog(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return String(text[Range(range, in: text)!])
            }
            guard process.isRunning else { throw TestFailure("\(name) exited (\(process.terminationStatus)):\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(name) never logged /\(pattern)/ within \(timeout):\n\(output)")
    }
}

/// A failure with a message, thrown by test helpers.
public struct TestFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// Creates a failure.
    public init(_ description: String) { self.description = description }
}
