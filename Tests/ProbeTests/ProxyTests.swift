import Foundation
import NIOSSL
import Probe
import TestSupport
import Testing

/// A real `tinyproxy` (Debian's package) on 127.0.0.1, logging every request it relays to its
/// standard output; with `credentials`, it demands them (Basic).
struct RunningTinyproxy {
    let process: ManagedProcess
    let port: Int
    let directory: URL

    static func start(credentials: (user: String, password: String)? = nil) async throws -> RunningTinyproxy {
        let directory = try Programs.temporaryDirectory()
        let port = try Programs.freePort()
        var config = """
            Port \(port)
            Listen 127.0.0.1
            Timeout 30
            MaxClients 20
            LogLevel Info
            Allow 127.0.0.1
            DisableViaHeader Yes

            """
        if let credentials { config += "BasicAuth \(credentials.user) \(credentials.password)\n" }
        let file = directory.appendingPathComponent("tinyproxy.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(try Programs.installed("tinyproxy"), ["-d", "-c", file.path])
        let proxy = RunningTinyproxy(process: process, port: port, directory: directory)
        do {
            _ = try await process.waitForLog("listening on|Starting main loop|Accepting connections", timeout: .seconds(10))
        } catch {
            await proxy.stop()
            throw error
        }
        return proxy
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

    @Test func plainHTTPIsSentToTheProxyInAbsoluteForm() async throws {
        try await withTinyproxy { proxy in try await withConnectionCountingServer(script: { _, _ in .stream() }) { server in
            let client = ProbeHTTPClient()
            let attempts = await ProbeHTTPClientTests.probe(
                try Self.config("http://127.0.0.1:\(server.port)", proxy: "http://127.0.0.1:\(proxy.port)"), over: client,
                times: 2)
            await client.shutdown()
            #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
            #expect(
                proxy.process.output.contains("POST http://127.0.0.1:\(server.port)/v1/chat/completions"),
                "\(proxy.process.output)")
        } }
    }

    @Test func httpsGoesThroughATunnelWithTLSEndToEnd() async throws {
        let (certificates, key) = try await Self.localhostCertificate()
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
            #expect(proxy.process.output.contains("CONNECT localhost:\(server.port)"), "\(proxy.process.output)")

            // The system's roots do not trust the test certificate: TLS is the server's, not the proxy's.
            let systemRoots = ProbeHTTPClient()
            let untrusted = await ProbeHTTPClientTests.probe(config, over: systemRoots)
            await systemRoots.shutdown()
            #expect(untrusted.first?.error?.errorClass == .connection, "\(untrusted.map(\.result))")
        } }
    }

    @Test(arguments: ["http", "https"])
    func proxyCredentialsAreSentAndARefusalNamesNoSecret(scheme: String) async throws {
        let (certificates, key) = try await Self.localhostCertificate()
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
