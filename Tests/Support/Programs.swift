import Foundation
import Synchronization

/// Paths of the programs tests run, and the ports and directories they use.
public enum Programs {
    /// The `llmwatch` binary built next to the test bundle (or `$LLMWATCH_BINARY`).
    public static var llmwatch: String {
        get throws {
            if let path = ProcessInfo.processInfo.environment["LLMWATCH_BINARY"] { return path }
            var directory = Bundle.main.bundleURL
            for _ in 0..<3 {
                let candidate = directory.appendingPathComponent("llmwatch").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw TestFailure(
                "llmwatch binary not found near \(Bundle.main.bundleURL.path); run `swift build` first or set LLMWATCH_BINARY"
            )
        }
    }

    /// A program from Debian's packages (prometheus, promtool, ...), which `.ci/run` installs.
    public static func installed(_ name: String) throws -> String {
        if let path = installedPath(name) { return path }
        throw TestFailure(
            "\(name) is not installed; run .ci/run or `apt-get install -y prometheus prometheus-alertmanager`")
    }

    /// Whether `name` is installed (for `.enabled(if:)`).
    public static func isInstalled(_ name: String) -> Bool { installedPath(name) != nil }

    private static func installedPath(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The repository's root (the directory holding `Package.swift`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository, where the conformance files and fixtures live.
    public static let shared: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let (fd, port) = try boundSocket()
        close(fd)
        return port
    }

    /// Runs `body` with a port on 127.0.0.1 that refuses connections for as long as it runs: a
    /// socket bound there but not listening holds it, so no other test can take it meanwhile.
    public static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let held = try holdPort()
        defer { held.release() }
        return try await body(held.port)
    }

    /// A port on 127.0.0.1 that refuses connections until ``HeldPort/release()``, for a test that
    /// starts a server there later: a port from ``freePort()`` stays free only by luck until then,
    /// as the tests running beside it take ports of the same range.
    public static func holdPort() throws -> HeldPort {
        let (fd, port) = try boundSocket()
        return HeldPort(fd: fd, port: port)
    }

    /// A TCP socket bound to a free port of 127.0.0.1, not listening, and that port.
    ///
    /// The port is one below the kernel's ephemeral range (`ip_local_port_range`), which the
    /// kernel never hands out by itself: not to another test's server on port 0, and not as the
    /// source port of an outgoing connection. A port from the range could be taken by either
    /// between the moment a test lets it go and the moment its server binds it, and a client
    /// that keeps connecting to such a port can even connect to itself (a TCP simultaneous open
    /// from the port to the same port), holding it for as long as that connection lives.
    private static func boundSocket() throws -> (fd: Int32, port: Int) {
        let firstEphemeral = ephemeralPortRangeStart
        let candidates = max(1024, firstEphemeral - 12_000)..<firstEphemeral
        let start = Int.random(in: candidates)
        for offset in 0..<candidates.count {
            let port = candidates.lowerBound + (start - candidates.lowerBound + offset) % candidates.count
            if let fd = try socketBound(to: port) { return (fd, port) }
        }
        throw TestFailure("no free port in \(candidates) on 127.0.0.1")
    }

    /// The first port of the kernel's ephemeral range (32768 when it cannot be read), read once.
    private static let ephemeralPortRangeStart: Int = {
        let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        return range?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    }()

    /// A TCP socket bound to `port` of 127.0.0.1 and not listening, or `nil` when the port is
    /// taken.
    private static func socketBound(to port: Int) throws -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound else {
            close(fd)
            return nil
        }
        return fd
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("llmwatch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A port held by a socket bound to it but not listening (see ``Programs/holdPort()``).
public final class HeldPort: Sendable {
    /// The port held.
    public let port: Int
    private let descriptor: Mutex<Int32?>

    fileprivate init(fd: Int32, port: Int) {
        self.port = port
        descriptor = Mutex(fd)
    }

    /// Lets the port go, for a server to bind it at once; later calls do nothing.
    public func release() {
        if let fd = descriptor.withLock({ fd in defer { fd = nil }; return fd }) { close(fd) }
    }

    deinit { release() }
}
