import Foundation
import Hummingbird
import TestSupport
import Testing

/// `llmwatch evaluate --datasource.url` with a tenant header and a bearer token from a file:
/// a data source that refuses queries without both answers the rule's query only when they
/// come, and the token appears neither in the log nor in `/api/v1/status/flags`.
struct DatasourceCredentialsTests {
    static let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"remote"},"value":[1,"1"]}]}}"#

    @Test func headersAndTokenReachTheDataSource() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = "tok-\(UUID().uuidString)"
        let tokenFile = directory.appendingPathComponent("token")
        try "\(token)\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let rules = directory.appendingPathComponent("rules.yml")
        try """
            groups:
              - name: remote
                interval: 1s
                rules:
                  - record: remote:up
                    expr: up
            """.write(to: rules, atomically: true, encoding: .utf8)
        try await LocalServer.with({ router in
            router.on("/api/v1/query", method: .post) { request, _ -> Response in
                let authorized = request.headers[.authorization] == "Bearer \(token)"
                    && request.headers.contains { $0.name.canonicalName == "x-scope-orgid" && $0.value == "team-a" }
                guard authorized else {
                    return Response(
                        status: .unauthorized,
                        body: .init(byteBuffer: ByteBuffer(string: #"{"status":"error","errorType":"unauthorized","error":"no"}"#)))
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: Self.vector)))
            }
        }) { port in
            let evaluator = try await RunningEvaluator.start(
                storage: directory.appendingPathComponent("data").path,
                [
                    "--datasource.url", "http://127.0.0.1:\(port)", "--datasource.header", "X-Scope-OrgID: team-a",
                    "--datasource.bearer-token-file", tokenFile.path, "--rule.file", rules.path,
                ])
            do {
                let recorded = try await HTTP.waitFor(
                    evaluator.baseURL + "/api/v1/query?query=remote:up", timeout: .seconds(20)
                ) { $0.contains(#""job":"remote""#) }
                #expect(recorded.contains(#""__name__":"remote:up""#), "\(recorded)")
                let flags = try await HTTP.get(evaluator.baseURL + "/api/v1/status/flags")
                #expect(!flags.body.contains(token))
                #expect(!evaluator.process.output.contains(token))
            } catch {
                await evaluator.stop()
                throw error
            }
            await evaluator.stop()
        }
    }
}
