import TestSupport
import Foundation
import Hummingbird
import NIOCore
import Testing

/// A provider that echoes the API key back in its 401 (as OpenAI's does) must not get the key
/// into `/metrics`, `/probe?debug=true`, or the log.
struct SecretRedactionTests {
    static let key = "sk-e2e-supersecret-0123456789abcdef"

    @Test func keyNeverLeavesTheProcess() async throws {
        try await LocalServer.with({ router in
            router.post("/v1/chat/completions") { _, _ in
                let body = #"{"error":{"message":"Incorrect API key provided: \#(Self.key). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}"#
                return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }) { port in
            let directory = try Programs.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("probe.yml").path
            try """
                models:
                  - name: leaky
                    provider: openai_compatible
                    model: m
                    endpoint: http://127.0.0.1:\(port)/v1
                    api_key: ${E2E_SECRET_KEY}
                    schedule: 1s
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let probe = try await RunningProbe.start(["--config.file=\(path)", "--log.level=debug"], environment: ["E2E_SECRET_KEY": Self.key])
            defer { Task { await probe.stop() } }
            let metrics = try await HTTP.waitFor("\(probe.baseURL)/metrics") {
                $0.contains(#"llm_error_total{model="leaky",provider="openai_compatible",operation="probe",type="auth"} 1"#)
                    || $0.contains(#"llm_error_total{model="leaky",provider="openai_compatible",operation="probe",type="auth"} 2"#)
            }
            let debug = try await HTTP.get("\(probe.baseURL)/probe?target=leaky&debug=true").body
            #expect(debug.contains("auth: Incorrect API key provided: <redacted>"), "\(debug)")
            #expect(debug.contains("authorization: <redacted>"))
            try await Task.sleep(for: .milliseconds(300))
            let log = probe.process.output
            #expect(log.contains("Incorrect API key provided"), "the failure is logged")
            for text in [metrics, debug, log] {
                #expect(!text.contains(Self.key))
                #expect(!text.contains(String(Self.key.prefix(8))))
                #expect(!text.contains(String(Self.key.suffix(8))))
            }
            await probe.stop()
        }
    }
}
