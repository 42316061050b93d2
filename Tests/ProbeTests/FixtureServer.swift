import TestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// One request as the fixture server received it.
struct FixtureRequest: Sendable {
    /// `GET`, `POST`, ...
    var method: String
    /// Path and query, as sent (`/v1/chat/completions`, `/models/m:streamGenerateContent?alt=sse`).
    var target: String
    /// Header values by lowercased name.
    var headers: [String: String]
    /// The whole request body.
    var body: [UInt8]

    /// The body parsed as a JSON object, for assertions on what a provider sent.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// One step of a scripted response body.
enum ReplyStep: Sendable {
    /// Writes these bytes as one chunk.
    case send([UInt8])
    /// Waits before the next step (cancelled when the server stops).
    case pause(Duration)
    /// Drops the connection mid-body, without the chunked terminator: what a crashed upstream
    /// or a reset proxy looks like to the client.
    case abort
}

/// What the fixture server answers: a status, headers and a body written step by step, so
/// tests can replay a captured stream with delays, stop it early, or cut the connection.
struct FixtureReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var steps: [ReplyStep]

    /// A 200 streaming reply of content type `contentType`.
    static func stream(_ steps: [ReplyStep], contentType: String = "text/event-stream") -> FixtureReply {
        FixtureReply(status: 200, headers: [("content-type", contentType)], steps: steps)
    }

    /// A whole JSON (or any text) body with the given status and extra headers.
    static func body(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FixtureReply {
        FixtureReply(
            status: status, headers: [("content-type", "application/json")] + headers, steps: [.send(Array(text.utf8))])
    }
}

/// A local HTTP/1.1 server on 127.0.0.1 with an ephemeral port that answers every request with
/// a scripted ``FixtureReply`` and records what it received.
///
/// Use it only through ``withFixtureServer(_:_:)``, which stops it when the test's body ends.
final class FixtureServer: Sendable {
    private let port = Mutex(0)
    private let log = Mutex<[FixtureRequest]>([])

    fileprivate init() {}

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port.withLock { $0 })" }

    fileprivate func bound(to port: Int) {
        self.port.withLock { $0 = port }
    }

    /// Requests received so far, in arrival order.
    var requests: [FixtureRequest] { log.withLock { $0 } }

    fileprivate func record(_ request: FixtureRequest) {
        log.withLock { $0.append(request) }
    }
}

/// The error a reply body throws to make Hummingbird drop the connection mid-body.
private struct AbortConnection: Error {}

/// Starts a ``FixtureServer`` answering every request with `reply`, runs `body` against it, then
/// stops the server.
func withFixtureServer<T: Sendable>(_ reply: FixtureReply, _ body: (FixtureServer) async throws -> T) async throws -> T
{
    try await withFixtureServer({ _ in reply }, body)
}

/// Starts a ``FixtureServer`` answering with `respond`, runs `body` against it, then stops the
/// server (cancelling any reply still being written) before returning.
func withFixtureServer<T: Sendable>(
    _ respond: @escaping @Sendable (FixtureRequest) -> FixtureReply,
    _ body: (FixtureServer) async throws -> T
) async throws -> T {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let fixture = FixtureServer()
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
        let bytes = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let received = FixtureRequest(
            method: request.method.rawValue, target: request.uri.description, headers: headers,
            body: Array(bytes.readableBytesView))
        fixture.record(received)
        let reply = respond(received)
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let steps = reply.steps
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody { writer in
                for step in steps {
                    switch step {
                    case .send(let chunk):
                        try await writer.write(ByteBuffer(bytes: chunk))
                    case .pause(let duration):
                        try await Task.sleep(for: duration)
                    case .abort:
                        throw AbortConnection()
                    }
                }
                try await writer.finish(nil)
            })
    }
    var logger = Logger(label: "fixture-server")
    logger.logLevel = .critical
    let app = Application(
        responder: responder,
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger)
    return try await whileRunning(app) {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw FixtureServerError.didNotStart }
        fixture.bound(to: port)
        return try await body(fixture)
    }
}

/// Why a fixture server could not serve.
enum FixtureServerError: Error {
    /// Hummingbird never reported a bound port.
    case didNotStart
}
