import AsyncHTTPClient
import Foundation
import NIOCore

/// Small HTTP calls the end-to-end tests make against the processes they start.
enum HTTP {
    struct Reply {
        var status: Int
        var body: String
        var contentType: String?
    }

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(url, post: false, headers: headers)
    }

    static func post(_ url: String) async throws -> Reply {
        try await send(url, post: true, headers: [])
    }

    private static func send(_ url: String, post: Bool, headers: [(String, String)]) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = post ? .POST : .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body), contentType: response.headers.first(name: "content-type"))
    }

    /// Polls `url` until `condition` holds for its body.
    static func waitFor(_ url: String, timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            if let reply = try? await get(url), reply.status == 200 {
                last = reply.body
                if condition(reply.body) { return reply.body }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("\(url) did not reach the expected state within \(timeout); last body:\n\(last.prefix(2000))")
    }
}
