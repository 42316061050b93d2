import Foundation

/// A real process started by a test: output goes to a log file, and it is stopped by PID
/// (SIGTERM, then SIGKILL) when the test ends.
final class ManagedProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL
    let name: String

    /// Starts `executable` with `arguments`, logging to a temporary file.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, name: String? = nil) throws {
        self.name = name ?? URL(fileURLWithPath: executable).lastPathComponent
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("llmwatch-test-\(self.name)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Everything the process has written so far.
    var output: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Waits for the process to exit by itself and returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(name) did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Polls the log until `pattern` (a regular expression) matches; returns the first capture
    /// group, or the whole match.
    func waitForLog(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
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
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Paths of the programs the end-to-end tests run.
enum Programs {
    /// The `llmwatch` binary built next to the test bundle (or `$LLMWATCH_BINARY`).
    static var llmwatch: String {
        get throws {
            if let path = ProcessInfo.processInfo.environment["LLMWATCH_BINARY"] { return path }
            var directory = Bundle.main.bundleURL
            for _ in 0..<3 {
                let candidate = directory.appendingPathComponent("llmwatch").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw TestFailure("llmwatch binary not found near \(Bundle.main.bundleURL.path); run `swift build` first or set LLMWATCH_BINARY")
        }
    }

    /// A program from Debian's packages (prometheus, promtool, ...), which `.ci/run` installs.
    static func installed(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(name) is not installed; run .ci/run or `apt-get install -y prometheus prometheus-alertmanager`")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("llmwatch-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
