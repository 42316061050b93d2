import AsyncHTTPClient
import Foundation
import NIOCore

/// A server process the benchmark started, stopped by PID.
public final class ServerProcess: @unchecked Sendable {
    public let name: String
    public let process = Process()
    public let log: URL
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(name: String, executable: String, arguments: [String], port: Int, log: URL) throws {
        self.name = name
        self.port = port
        self.log = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until `path` answers 200.
    public func waitUntilReady(client: HTTPClient, path: String, timeout: Duration = .seconds(600)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchmarkError("\(name) exited; see \(log.path)") }
            if let response = try? await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(5)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw BenchmarkError("\(name) not ready after \(timeout); see \(log.path)")
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Resident memory in bytes, from /proc.
    public var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchmarkError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw BenchmarkError("bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a program to completion, returning its exit status and how long it took.
public func runToCompletion(_ executable: String, _ arguments: [String], log: URL) throws -> (Int32, Duration) {
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = handle
    process.standardError = handle
    let began = ContinuousClock.now
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, ContinuousClock.now - began)
}

/// `name=value&...` with everything but unreserved bytes percent-encoded.
public func formEncode(_ parameters: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return parameters.map {
        "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)="
            + "\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
    }.joined(separator: "&")
}
