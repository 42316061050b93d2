import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Small HTTP calls tests make against the processes and servers they start.
public enum HTTP {
    /// A response, read whole.
    public struct Reply: Sendable {
        /// The status code.
        public var status: Int
        /// The body as UTF-8 text.
        public var body: String
        /// The `Content-Type` header.
        public var contentType: String?
        /// Every header, lowercased names.
        public var headers: [(String, String)]

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// GETs `url` (with `client`, when it needs TLS settings of its own).
    public static func get(_ url: String, headers: [(String, String)] = [], client: HTTPClient = .shared) async throws -> Reply {
        try await send(url, method: .GET, headers: headers, body: nil, client: client)
    }

    /// POSTs `body` to `url`.
    public static func post(_ url: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send(url, method: .POST, headers: headers, body: body)
    }

    /// Sends a request with `method`.
    public static func send(
        _ url: String, method: HTTPMethod, headers: [(String, String)] = [], body: String? = nil,
        client: HTTPClient = .shared
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code), body: String(buffer: collected),
            contentType: response.headers.first(name: "content-type"),
            headers: response.headers.map { ($0.name.lowercased(), $0.value) })
    }

    /// Polls `url` until `condition` holds for its body.
    public static func waitFor(
        _ url: String, timeout: Duration = .seconds(30), client: HTTPClient = .shared, _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            if let reply = try? await get(url, client: client), reply.status == 200 {
                last = reply.body
                if condition(reply.body) { return reply.body }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("\(url) did not reach the expected state within \(timeout); last body:\n\(last.prefix(2000))")
    }
}
