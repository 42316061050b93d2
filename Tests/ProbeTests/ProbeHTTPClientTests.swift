import Exposition
import Foundation
import Logging
import NIOSSL
import Probe
import TestSupport
import Testing

/// The probe's HTTP client over real sockets: keep-alive connections are reused and given up
/// when they must be, the idle pool is bounded and expires, and https verifies the server.
@Suite struct ProbeHTTPClientTests {
    /// One OpenAI-compatible model `probed` at `baseURL`.
    static func config(_ baseURL: String, key: String = "test-key-0123456789") throws -> ProbeConfig {
        try ProbeConfigLoader(environment: [:]).parse(
            ErrorClassTests.openAICompatible(baseURL, key: key, timeout: "5s"), file: "client-test.yml")
    }

    /// Probes `probed` `times` times in a row (or all at once when `concurrently`) over `client`.
    static func probe(
        _ config: ProbeConfig, over client: ProbeHTTPClient, times: Int = 1, concurrently: Bool = false
    ) async -> [ProbeAttempt] {
        let prober = Prober(
            config: config, metrics: ProbeMetrics(registry: MetricRegistry(), config: config), client: client,
            logger: Logger(label: "client-test") { _ in SwiftLogNoOpLogHandler() })
        let model = config.models[0]
        guard concurrently else {
            var attempts: [ProbeAttempt] = []
            for _ in 0..<times {
                attempts.append(await prober.attempt(model, operation: "probe", prompt: model.prompts[0], timeout: .seconds(5)))
            }
            return attempts
        }
        return await withTaskGroup(of: ProbeAttempt.self) { group in
            for _ in 0..<times {
                group.addTask { await prober.attempt(model, operation: "probe", prompt: model.prompts[0], timeout: .seconds(5)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Waits until `condition` holds, for at most `timeout`.
    static func eventually(within timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < end else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// A server's behaviour, how many probes are sent, and how many connections the client
    /// opens for them, every probe answered.
    struct ReuseCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let script: @Sendable (_ connection: Int, _ request: Int) -> ConnectionCountingServer.Answer
        let probes: Int
        let connections: Int
    }

    static let reuseCases: [ReuseCase] = [
        ReuseCase(testDescription: "a keep-alive connection is reused", script: { _, _ in .stream() }, probes: 3, connections: 1),
        ReuseCase(
            testDescription: "Connection: close is honoured", script: { _, _ in .stream(close: true) }, probes: 2,
            connections: 2),
        // The first connection answers once, then drops the next request unanswered: what a
        // server closing an idle connection just as it is reused looks like.
        ReuseCase(
            testDescription: "a reused connection dropped before an answer is retried on a new one",
            script: { connection, request in connection == 0 && request == 1 ? .drop : .stream() }, probes: 2,
            connections: 2),
    ]

    @Test(arguments: reuseCases)
    func everyProbeIsAnsweredOverTheConnectionsExpected(_ item: ReuseCase) async throws {
        try await withConnectionCountingServer(script: item.script) { server in
            let client = ProbeHTTPClient()
            let attempts = await Self.probe(
                try Self.config("http://127.0.0.1:\(server.port)"), over: client, times: item.probes)
            await client.shutdown()
            #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
            #expect(server.accepted == item.connections)
        }
    }

    @Test func freshConnectionDroppedBeforeAnAnswerIsAConnectionError() async throws {
        try await withConnectionCountingServer(script: { _, _ in .drop }) { server in
            let client = ProbeHTTPClient()
            let attempts = await Self.probe(try Self.config("http://127.0.0.1:\(server.port)"), over: client)
            await client.shutdown()
            #expect(attempts.first?.error?.errorClass == .connection)
            #expect(server.accepted == 1, "a connection that never answered is not retried")
        }
    }

    @Test func responseNotReadToItsEndIsNotReused() async throws {
        // Ten megabytes without a line break: the probe gives up on the body after 1 MiB and
        // the connection, still mid-body, is closed rather than pooled.
        try await withConnectionCountingServer(script: { connection, _ in
            connection == 0 ? .garbage(bytes: 10 << 20) : .stream()
        }) { server in
            let client = ProbeHTTPClient()
            let attempts = await Self.probe(try Self.config("http://127.0.0.1:\(server.port)"), over: client, times: 2)
            await client.shutdown()
            #expect(attempts.first?.error?.errorClass == .invalidResponse)
            #expect(attempts.last?.outcome?.text == "42")
            #expect(server.accepted == 2)
        }
    }

    @Test func idleConnectionsAreBounded() async throws {
        var configuration = ProbeHTTPClient.Configuration()
        configuration.maxIdleConnectionsPerEndpoint = 1
        // Answers held back 1 s so that three probes at once need three connections.
        try await withConnectionCountingServer(script: { _, _ in .stream(delay: .seconds(1)) }) { server in
            let client = ProbeHTTPClient(configuration: configuration)
            let attempts = await Self.probe(
                try Self.config("http://127.0.0.1:\(server.port)"), over: client, times: 3, concurrently: true)
            #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
            #expect(server.accepted == 3)
            #expect(try await Self.eventually { server.closedByClient >= 2 }, "two of three are closed: one stays idle")
            try await Task.sleep(for: .milliseconds(200))
            #expect(server.closedByClient == 2)
            await client.shutdown()
        }
    }

    @Test func idleConnectionExpires() async throws {
        var configuration = ProbeHTTPClient.Configuration()
        configuration.idleTimeout = .milliseconds(200)
        try await withConnectionCountingServer(script: { _, _ in .stream() }) { server in
            let client = ProbeHTTPClient(configuration: configuration)
            let attempts = await Self.probe(try Self.config("http://127.0.0.1:\(server.port)"), over: client)
            #expect(attempts.first?.outcome?.text == "42")
            #expect(try await Self.eventually { server.closedByClient == 1 }, "closed after its idle timeout")
            await client.shutdown()
        }
    }

    @Test func refusedConnectionNamesNoSecret() async throws {
        let key = "sk-live-Qm3v8XyZ0pL5rT2w"
        let closedURL = try await withConnectionCountingServer(script: { _, _ in .stream() }) { server in
            "http://127.0.0.1:\(server.port)"
        }
        let client = ProbeHTTPClient()
        let attempts = await Self.probe(try Self.config(closedURL, key: key), over: client)
        await client.shutdown()
        let error = try #require(attempts.first?.error)
        #expect(error.errorClass == .connection)
        #expect(error.message.contains("127.0.0.1"), "\(error.message)")
        #expect(!error.description.contains(key))
    }

    /// A server certificate for `localhost`, made with openssl.
    static func localhostCertificate() async throws -> (certificates: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await runProgram(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
            workingDirectory: directory)
        try #require(result.status == 0, "openssl: \(result.output)")
        return (
            try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("cert.pem").path),
            try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem)
        )
    }

    @Test func httpsVerifiesTheServerAgainstTheConfiguredRoots() async throws {
        let (certificates, key) = try await Self.localhostCertificate()
        let serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        try await withConnectionCountingServer(tls: serverTLS, script: { _, _ in .stream() }) { server in
            var trusting = ProbeHTTPClient.Configuration()
            trusting.tls.trustRoots = .certificates(certificates)
            let client = ProbeHTTPClient(configuration: trusting)
            // By name, so SNI is sent and the certificate's name is checked.
            let trusted = await Self.probe(try Self.config("https://localhost:\(server.port)"), over: client, times: 2)
            await client.shutdown()
            #expect(trusted.allSatisfy { $0.outcome?.text == "42" }, "\(trusted.map(\.result))")
            #expect(server.accepted == 1, "the TLS connection is reused")

            let systemRoots = ProbeHTTPClient()
            let untrusted = await Self.probe(try Self.config("https://localhost:\(server.port)"), over: systemRoots)
            await systemRoots.shutdown()
            #expect(untrusted.first?.error?.errorClass == .connection, "\(untrusted.map(\.result))")
        }
    }
}
