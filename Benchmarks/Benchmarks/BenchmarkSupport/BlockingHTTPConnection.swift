import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection over a blocking socket, for timing small answers.
///
/// A request is one `send` and the answer is read in the calling thread, so a measurement holds
/// no event loop, task or thread hop of the client's own: what is left is the server's time and
/// the kernel's. (AsyncHTTPClient adds about 0.3 ms of its own to every request on this machine,
/// with a spread larger than the differences the query benchmark looks for on one-series cases.)
/// Reads `Content-Length` and chunked answers, which are what Prometheus and llmwatch send.
public final class BlockingHTTPConnection {
    private let host: String
    private let port: Int
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var position = 0
    private var received = [UInt8](repeating: 0, count: 64 << 10)

    /// A connection to `host:port`, opened at the first request.
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// GETs `target` (path and query) and returns the status and the whole body.
    public func get(_ target: String) throws -> (status: Int, body: [UInt8]) {
        if socket < 0 { try connect() }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept-Encoding: identity\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchmarkError("send to \(host):\(port) failed: errno \(errno)") }
            sent += n
        }
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw BenchmarkError("bad status line from \(host):\(port): \(statusLine)")
        }
        var length: Int?
        var chunked = false
        var closes = false
        while true {
            let header = try line()
            if header.isEmpty { break }
            guard let colon = header.firstIndex(of: ":") else { continue }
            let name = header[..<colon].lowercased()
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": closes = value.lowercased() == "close"
            default: break
            }
        }
        var body: [UInt8] = []
        if chunked {
            while true {
                let size = Int(try line().split(separator: ";")[0], radix: 16) ?? 0
                if size == 0 {
                    while try !line().isEmpty {}
                    break
                }
                body += try bytes(size)
                _ = try line()
            }
        } else if let length {
            body = try bytes(length)
        }
        if closes { reset() }
        return (status, body)
    }

    private func connect() throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchmarkError("socket failed: errno \(errno)") }
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            reset()
            throw BenchmarkError("connect to \(host):\(port) failed: errno \(errno)")
        }
    }

    private func reset() {
        if socket >= 0 { close(socket) }
        socket = -1
        buffer.removeAll(keepingCapacity: true)
        position = 0
    }

    /// Reads more into the buffer; throws when the server closed the connection.
    private func fill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let n = received.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard n > 0 else {
            reset()
            throw BenchmarkError("\(host):\(port) closed the connection")
        }
        buffer += received[..<n]
    }

    /// The next line without its CRLF.
    private func line() throws -> String {
        while true {
            if let end = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var last = end
                if last > position, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                let text = String(decoding: buffer[position..<last], as: UTF8.self)
                position = end + 1
                return text
            }
            try fill()
        }
    }

    /// The next `count` bytes.
    private func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count - position < count { try fill() }
        let result = Array(buffer[position..<position + count])
        position += count
        return result
    }
}
