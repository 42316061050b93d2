import AsyncHTTPClient
import Foundation
import NIOSSL
import TestSupport
import Testing

/// `tls_config` of `alerting.alertmanagers` and of `remote_write`, against a real Alertmanager
/// and a real Prometheus that serve https (`--web.config.file`) with certificates of a test CA
/// and require a client certificate from that CA: what llmwatch sends arrives only through
/// the section's own TLS settings, `server_name` included; a CA file that does not load fails
/// the start with a message naming it.
@Suite(
    "tls_config to Alertmanagers and remote write",
    .enabled(
        if: Programs.isInstalled("prometheus-alertmanager") && Programs.isInstalled("amtool")
            && Programs.isInstalled("prometheus")))
struct TLSDestinationTests {
    /// A `tls_server_config` serving certificate `name` and requiring a client certificate.
    static func webConfig(_ certificates: TestCertificates, serving name: String) -> String {
        """
        tls_server_config:
          cert_file: \(certificates.path(name + ".pem"))
          key_file: \(certificates.path(name + ".key"))
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: \(certificates.ca)

        """
    }

    /// The `tls_config` of a client that trusts the test CA and presents its client certificate.
    static func clientTLS(_ certificates: TestCertificates, serverName: String? = nil) -> String {
        let name = serverName.map { ", server_name: \($0)" } ?? ""
        return "{ca_file: \(certificates.ca), cert_file: \(certificates.path("client.pem")), "
            + "key_file: \(certificates.path("client.key"))\(name)}"
    }

    static let rules = """
        groups:
          - name: tls
            rules:
              - record: tls:sent
                expr: vector(7)
              - alert: DeliveredOverTLS
                expr: vector(1)

        """

    @Test func alertsAndSamplesArriveThroughTheirOwnTLSSettings() async throws {
        try await HeavyWork.limited {
            let certificates = try await TestCertificates.make()
            defer { try? FileManager.default.removeItem(at: certificates.directory) }
            // Alertmanager's certificate names exporter.test only: llmwatch must connect to
            // 127.0.0.1 and verify that name (server_name).
            let alertmanager = try await RunningAlertmanager.start(
                config: "route: {receiver: nobody}\nreceivers: [{name: nobody}]\n",
                webConfig: Self.webConfig(certificates, serving: "named"),
                amtoolHTTPConfig: "tls_config: \(Self.clientTLS(certificates, serverName: "exporter.test"))\n")
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.ca))
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.path("client.pem")).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.path("client.key"), format: .pem))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            let receiver: RunningPrometheus
            do {
                receiver = try await RunningPrometheus.start(
                    config: "global: {scrape_interval: 1h}\n",
                    files: ["web.yml": Self.webConfig(certificates, serving: "server")],
                    flags: ["--web.enable-remote-write-receiver"], tlsClient: client)
            } catch {
                await alertmanager.stop()
                try await client.shutdown()
                throw error
            }
            let directory = try Programs.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try Self.rules.write(to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
                global: {evaluation_interval: 1s}
                rule_files: [rules.yml]
                alerting:
                  alertmanagers:
                    - scheme: https
                      tls_config: \(Self.clientTLS(certificates, serverName: "exporter.test"))
                      static_configs: [{targets: ["127.0.0.1:\(alertmanager.port)"]}]
                remote_write:
                  - url: \(receiver.baseURL)/api/v1/write
                    tls_config: \(Self.clientTLS(certificates))

                """.write(to: config, atomically: true, encoding: .utf8)
            let evaluator = try await RunningEvaluator.start(
                storage: directory.appendingPathComponent("data").path, ["--config.file", config.path])
            do {
                let deadline = ContinuousClock.now + .seconds(30)
                var alerts = ""
                while ContinuousClock.now < deadline, !alerts.contains("DeliveredOverTLS") {
                    try await Task.sleep(for: .milliseconds(500))
                    alerts = try await alertmanager.amtoolQuery()
                }
                #expect(alerts.contains("DeliveredOverTLS"), "amtool:\n\(alerts)\nllmwatch:\n\(evaluator.process.output)")
                let query = receiver.baseURL + "/api/v1/query?query=tls:sent"
                let body = try await HTTP.waitFor(query, client: client) { $0.contains(#""tls:sent""#) }
                #expect(body.contains(#""7""#), "\(body)")
            } catch {
                await evaluator.stop()
                await receiver.stop()
                await alertmanager.stop()
                try await client.shutdown()
                throw error
            }
            await evaluator.stop()
            await receiver.stop()
            await alertmanager.stop()
            try await client.shutdown()
        }
    }

    @Test(arguments: ["alertmanagers", "remote_write"])
    func aCAFileThatDoesNotLoadFailsTheStart(section: String) async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing-ca.pem").path
        let destination =
            section == "alertmanagers"
            ? """
            alerting:
              alertmanagers:
                - scheme: https
                  tls_config: {ca_file: \(missing)}
                  static_configs: [{targets: ["127.0.0.1:1"]}]
            """
            : """
            remote_write:
              - url: https://127.0.0.1:1/api/v1/write
                tls_config: {ca_file: \(missing)}
            """
        let config = directory.appendingPathComponent("prometheus.yml")
        try (destination + "\n").write(to: config, atomically: true, encoding: .utf8)
        let result = try await runProgram(
            try Programs.llmwatch,
            [
                "evaluate", "--config.file", config.path, "--storage.path", directory.appendingPathComponent("data").path,
                "--web.listen-address=127.0.0.1:0",
            ])
        #expect(result.status != 0)
        #expect(result.output.contains("unable to read CA cert \(missing)"), "\(result.output)")
    }
}
