import Foundation
import NIOSSL
import Probe
import TestSupport
import Testing

/// A real `tinyproxy` (Debian's package) on 127.0.0.1, logging every request it relays to a
/// file of its own (its standard output is buffered when it is not a terminal); with
/// `credentials`, it demands them (Basic).
struct RunningTinyproxy {
    let process: ManagedProcess
    let port: Int
    let directory: URL

    /// What it has logged so far.
    var log: String { (try? String(contentsOf: directory.appendingPathComponent("tinyproxy.log"), encoding: .utf8)) ?? "" }

    /// Starts it on a free port and waits until it accepts connections; a port taken between
    /// choosing it and binding it (tinyproxy then exits) is given up for another, twice.
    static func start(credentials: (user: String, password: String)? = nil) async throws -> RunningTinyproxy {
        var failures: [String] = []
        for _ in 0..<3 {
            let directory = try Programs.temporaryDirectory()
            let port = try Programs.freePort()
            var config = """
                Port \(port)
                Listen 127.0.0.1
                Timeout 30
                MaxClients 20
                LogLevel Info
                LogFile "\(directory.appendingPathComponent("tinyproxy.log").path)"
                Allow 127.0.0.1
                DisableViaHeader Yes

                """
            if let credentials { config += "BasicAuth \(credentials.user) \(credentials.password)\n" }
            let file = directory.appendingPathComponent("tinyproxy.conf")
            try config.write(to: file, atomically: true, encoding: .utf8)
            let process = try ManagedProcess(try Programs.installed("tinyproxy"), ["-d", "-c", file.path])
            let proxy = RunningTinyproxy(process: process, port: port, directory: directory)
            let deadline = ContinuousClock.now + .seconds(20)
            while process.isRunning, !proxy.log.contains("Accepting connections"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning, proxy.log.contains("Accepting connections") { return proxy }
            failures.append("port \(port): \(process.output)\n\(proxy.log)")
            await proxy.stop()
        }
        throw TestFailure("tinyproxy did not start:\n" + failures.joined(separator: "\n"))
    }

    func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` with a tinyproxy, stopped by PID afterwards whatever happens.
func withTinyproxy<T>(
    credentials: (user: String, password: String)? = nil, _ body: (RunningTinyproxy) async throws -> T
) async throws -> T {
    let proxy = try await RunningTinyproxy.start(credentials: credentials)
    do {
        let result = try await body(proxy)
        await proxy.stop()
        return result
    } catch {
        await proxy.stop()
        throw error
    }
}

/// The probe through an HTTP proxy (`proxy_url`), a real tinyproxy between it and a local
/// model server: plain `http` requests go to the proxy in absolute form, `https` ones through a
/// `CONNECT` tunnel with TLS end to end (the connection reused through it), credentials are
/// sent as `Proxy-Authorization`, and a refused tunnel is a `connection` error that names the
/// proxy and none of its secrets.
@Suite(.enabled(if: Programs.isInstalled("tinyproxy")))
struct ProxyTests {
    static func config(_ endpoint: String, proxy: String) throws -> ProbeConfig {
        try ProbeConfigLoader(environment: [:]).parse(
            ErrorClassTests.openAICompatible(endpoint, timeout: "5s") + "\n    proxy_url: \"\(proxy)\"\n",
            file: "proxy-test.yml")
    }

    @Test func plainHTTPIsSentToTheProxyInAbsoluteForm() async throws {
        try await withTinyproxy { proxy in try await withConnectionCountingServer(script: { _, _ in .stream() }) { server in
            let client = ProbeHTTPClient()
            let attempts = await ProbeHTTPClientTests.probe(
                try Self.config("http://127.0.0.1:\(server.port)", proxy: "http://127.0.0.1:\(proxy.port)"), over: client,
                times: 2)
            await client.shutdown()
            #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
            #expect(
                proxy.log.contains("POST http://127.0.0.1:\(server.port)/v1/chat/completions"),
                "\(proxy.log)")
        } }
    }

    @Test func httpsGoesThroughATunnelWithTLSEndToEnd() async throws {
        let (certificates, key) = try await ProbeHTTPClientTests.localhostCertificate()
        let serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        try await withTinyproxy { proxy in try await withConnectionCountingServer(tls: serverTLS, script: { _, _ in .stream() }) { server in
            var trusting = ProbeHTTPClient.Configuration()
            trusting.tls.trustRoots = .certificates(certificates)
            let client = ProbeHTTPClient(configuration: trusting)
            // By name: the certificate is checked against localhost through the tunnel.
            let config = try Self.config("https://localhost:\(server.port)", proxy: "http://127.0.0.1:\(proxy.port)")
            let attempts = await ProbeHTTPClientTests.probe(config, over: client, times: 2)
            await client.shutdown()
            #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
            #expect(server.accepted == 1, "the tunnel's connection is reused")
            #expect(proxy.log.contains("CONNECT localhost:\(server.port)"), "\(proxy.log)")

            // The system's roots do not trust the test certificate: TLS is the server's, not the proxy's.
            let systemRoots = ProbeHTTPClient()
            let untrusted = await ProbeHTTPClientTests.probe(config, over: systemRoots)
            await systemRoots.shutdown()
            #expect(untrusted.first?.error?.errorClass == .connection, "\(untrusted.map(\.result))")
        } }
    }

    @Test(arguments: ["http", "https"])
    func proxyCredentialsAreSentAndARefusalNamesNoSecret(scheme: String) async throws {
        let (certificates, key) = try await ProbeHTTPClientTests.localhostCertificate()
        let serverTLS =
            scheme == "https"
            ? TLSConfiguration.makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key)) : nil
        try await withTinyproxy(credentials: ("probe", "right-proxy-pass")) { proxy in
            try await withConnectionCountingServer(tls: serverTLS, script: { _, _ in .stream() }) { server in
            var trusting = ProbeHTTPClient.Configuration()
            trusting.tls.trustRoots = .certificates(certificates)
            let client = ProbeHTTPClient(configuration: trusting)
            let endpoint = "\(scheme)://localhost:\(server.port)"
            let refused = await ProbeHTTPClientTests.probe(
                try Self.config(endpoint, proxy: "http://probe:wrong-proxy-pass@127.0.0.1:\(proxy.port)"), over: client)
            let accepted = await ProbeHTTPClientTests.probe(
                try Self.config(endpoint, proxy: "http://probe:right-proxy-pass@127.0.0.1:\(proxy.port)"), over: client)
            await client.shutdown()
            let error = try #require(refused.first?.error, "\(refused.map(\.result))")
            if scheme == "https" {
                // tinyproxy refuses with 401 where most proxies say 407; either way the tunnel
                // was not opened and the model not reached.
                #expect(error.errorClass == .connection)
                #expect(error.description.contains("proxy 127.0.0.1:\(proxy.port) refused the tunnel"), "\(error)")
            }
            // A plain request's refusal is the proxy's answer to it; a 407 is read as the proxy's
            // (ErrorClassTests), tinyproxy's 401 cannot be told from the server's.
            #expect(!error.description.contains("wrong-proxy-pass"), "\(error)")
            #expect(!error.description.contains("right-proxy-pass"), "\(error)")
            #expect(accepted.first?.outcome?.text == "42", "\(accepted.map(\.result))")
        } }
    }
}
