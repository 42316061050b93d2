import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization
import TestSupport

/// What the test exporter answers on one path.
struct ExporterReply: Sendable {
    var status = 200
    var headers: [(String, String)] = [("content-type", "text/plain; version=0.0.4; charset=utf-8")]
    var body: [UInt8] = []
    /// Waits this long before answering (a target that hangs).
    var delay: Duration?
    /// The `Authorization` header the path requires; 401 otherwise.
    var requiredAuthorization: String?

    /// A text 0.0.4 page.
    static func text(_ page: String) -> ExporterReply {
        ExporterReply(body: Array(page.utf8))
    }

    /// An OpenMetrics page.
    static func openMetrics(_ page: String) -> ExporterReply {
        ExporterReply(
            headers: [("content-type", "application/openmetrics-text; version=1.0.0; charset=utf-8")],
            body: Array(page.utf8))
    }
}

/// A request the exporter received.
struct ExporterRequest: Sendable {
    var path: String
    var query: String
    var headers: [String: String]
}

/// A local exporter on 127.0.0.1 whose pages tests set and change while it runs.
final class Exporter: Sendable {
    private let replies = Mutex<[String: ExporterReply]>([:])
    private let builders = Mutex<[String: @Sendable (ExporterRequest) -> ExporterReply]>([:])
    private let log = Mutex<[ExporterRequest]>([])
    private let boundPort = Mutex(0)

    /// The `host:port` to put in `static_configs`.
    var address: String { "127.0.0.1:\(boundPort.withLock { $0 })" }

    /// Serves `reply` on `path` from now on.
    func set(_ path: String, _ reply: ExporterReply) {
        replies.withLock { $0[path] = reply }
    }

    /// Serves what `build` makes of each request on `path` from now on (pages that change with time).
    func set(_ path: String, _ build: @escaping @Sendable (ExporterRequest) -> ExporterReply) {
        builders.withLock { $0[path] = build }
    }

    /// Requests received so far.
    var requests: [ExporterRequest] { log.withLock { $0 } }

    /// Requests to `path` so far.
    func requests(to path: String) -> [ExporterRequest] { requests.filter { $0.path == path } }

    fileprivate func bind(_ port: Int) { boundPort.withLock { $0 = port } }

    fileprivate func reply(to request: ExporterRequest) -> ExporterReply {
        log.withLock { $0.append(request) }
        let built = builders.withLock { $0[request.path] }.map { $0(request) }
        guard var reply = built ?? replies.withLock({ $0[request.path] }) else {
            return ExporterReply(status: 404, headers: [("content-type", "text/plain")], body: Array("not found\n".utf8))
        }
        if let required = reply.requiredAuthorization, request.headers["authorization"] != required {
            reply = ExporterReply(status: 401, headers: [("content-type", "text/plain")], body: Array("unauthorized\n".utf8))
        }
        return reply
    }
}

/// Runs `body` with a fresh exporter listening on 127.0.0.1 (over TLS when `tls` is given),
/// stopped when `body` returns.
func withExporter<T: Sendable>(
    tls: TLSConfiguration? = nil, _ body: (Exporter) async throws -> T
) async throws -> T {
    let exporter = Exporter()
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let reply = exporter.reply(
            to: ExporterRequest(path: request.uri.path, query: request.uri.query ?? "", headers: headers))
        if let delay = reply.delay { try await Task.sleep(for: delay) }
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
    let app = Application(
        responder: responder,
        server: try tls.map { try HTTPServerBuilder.tls(tlsConfiguration: $0) } ?? .http1(),
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: quietLogger)
    return try await whileRunning(app) {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw TestFailure("exporter did not start") }
        exporter.bind(port)
        return try await body(exporter)
    }
}
