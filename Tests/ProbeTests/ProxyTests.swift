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

    /// The error of one probe of `endpoint` through `proxy`, made on a client of its own.
    static func error(probing endpoint: String, through proxy: String) async throws -> ProbeError {
        let client = ProbeHTTPClient()
        let attempts = await ProbeHTTPClientTests.probe(try config(endpoint, proxy: proxy), over: client)
        await client.shutdown()
        return try #require(attempts.first?.error, "\(attempts.map(\.result))")
    }

    /// For a model server speaking `scheme`: its TLS (`nil` for `http`), with a test certificate
    /// for localhost, and a client configuration that trusts that certificate.
    static func localTLS(for scheme: String) async throws -> (server: TLSConfiguration?, client: ProbeHTTPClient.Configuration) {
        let (certificates, key) = try await ProbeHTTPClientTests.localhostCertificate()
        var trusting = ProbeHTTPClient.Configuration()
        trusting.tls.trustRoots = .certificates(certificates)
        let server =
            scheme == "https"
            ? TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
            : nil
        return (server, trusting)
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
        let tls = try await Self.localTLS(for: "https")
        try await withTinyproxy { proxy in try await withConnectionCountingServer(tls: tls.server, script: { _, _ in .stream() }) { server in
            let client = ProbeHTTPClient(configuration: tls.client)
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

    @Test func aProxyThatClosesBeforeOpeningTheTunnelIsAConnectionError() async throws {
        // The "proxy" reads the CONNECT request and closes the connection without answering.
        try await withConnectionCountingServer(script: { _, _ in .drop }) { proxy in
            let error = try await Self.error(probing: "https://localhost:9", through: "http://127.0.0.1:\(proxy.port)")
            #expect(error.errorClass == .connection)
            #expect(
                error.description.contains("proxy 127.0.0.1:\(proxy.port) closed the connection before opening a tunnel"),
                "\(error)")
        }
    }

    @Test(arguments: ["http", "https"])
    func proxyCredentialsAreSentAndARefusalNamesNoSecret(scheme: String) async throws {
        let tls = try await Self.localTLS(for: scheme)
        try await withTinyproxy(credentials: ("probe", "right-proxy-pass")) { proxy in
            try await withConnectionCountingServer(tls: tls.server, script: { _, _ in .stream() }) { server in
            let client = ProbeHTTPClient(configuration: tls.client)
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

/// A real `microsocks` (Debian's SOCKS5 server) on 127.0.0.1, without authentication.
struct RunningMicrosocks {
    let process: ManagedProcess
    let port: Int

    /// Starts it on a free port and waits until it accepts connections (it logs nothing on start).
    static func start() async throws -> RunningMicrosocks {
        let port = try Programs.freePort()
        let process = try ManagedProcess(try Programs.installed("microsocks"), ["-i", "127.0.0.1", "-p", "\(port)"])
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            if Self.accepts(port) { return RunningMicrosocks(process: process, port: port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        await process.stop()
        throw TestFailure("microsocks did not start on port \(port):\n\(process.output)")
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted.
    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The probe through a SOCKS5 proxy (`proxy_url: socks5://...`), a real microsocks between it
/// and a local model server: `http` and `https` endpoints alike go through a connection the
/// proxy opens (TLS end to end, the connection reused), and a target the proxy cannot reach is
/// a `connection` error that names the proxy and its reply.
@Suite(.enabled(if: Programs.isInstalled("microsocks")))
struct SOCKSProxyTests {
    @Test(arguments: ["http", "https"])
    func modelsAreCalledThroughTheProxy(scheme: String) async throws {
        let tls = try await ProxyTests.localTLS(for: scheme)
        let proxy = try await RunningMicrosocks.start()
        do {
            try await withConnectionCountingServer(tls: tls.server, script: { _, _ in .stream() }) { server in
                let client = ProbeHTTPClient(configuration: tls.client)
                // By name, resolved by the proxy; the certificate is checked against localhost.
                let config = try ProxyTests.config("\(scheme)://localhost:\(server.port)", proxy: "socks5://127.0.0.1:\(proxy.port)")
                let attempts = await ProbeHTTPClientTests.probe(config, over: client, times: 2)
                #expect(attempts.allSatisfy { $0.outcome?.text == "42" }, "\(attempts.map(\.result))")
                #expect(server.accepted == 1, "the proxy's connection is reused")

                // With the proxy gone, nothing reaches the server: the probe did not go direct.
                await proxy.process.stop()
                let fresh = ProbeHTTPClient(configuration: tls.client)
                let stopped = await ProbeHTTPClientTests.probe(config, over: fresh)
                await fresh.shutdown()
                await client.shutdown()
                #expect(stopped.first?.error?.errorClass == .connection, "\(stopped.map(\.result))")
                #expect(server.accepted == 1)
            }
        } catch {
            await proxy.process.stop()
            throw error
        }
        await proxy.process.stop()
    }

    @Test func aTargetTheProxyCannotReachIsAConnectionErrorNamingTheProxy() async throws {
        let proxy = try await RunningMicrosocks.start()
        do {
            try await Programs.withRefusingPort { closed in
                let error = try await ProxyTests.error(
                    probing: "http://127.0.0.1:\(closed)", through: "socks5h://127.0.0.1:\(proxy.port)")
                #expect(error.errorClass == .connection)
                #expect(
                    error.description.contains("SOCKS5 proxy 127.0.0.1:\(proxy.port) did not connect to 127.0.0.1:\(closed): it answered 5 (connection refused)"),
                    "\(error)")
            }
        } catch {
            await proxy.process.stop()
            throw error
        }
        await proxy.process.stop()
    }
}
