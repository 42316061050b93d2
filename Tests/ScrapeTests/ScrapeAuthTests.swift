import Foundation
import NIOSSL
import PrometheusConfig
import Scrape
import Series
import Testing
import TestSupport

/// The job's credentials and TLS settings reach the target; wrong ones fail the scrape, and no
/// secret appears in what the API shows.
struct ScrapeAuthTests {
    /// The latest scrape of a run that waited for a scrape not ended by the timeout (on a loaded
    /// machine a scrape can time out; these tests are about credentials, not time).
    struct Settled {
        let last: [LabeledSample]

        /// The value of `name` in the latest scrape (`scrape` is always 0, the latest).
        func value(_ name: String, scrape: Int) -> Double? {
            last.first { $0.labels.metricName == name }?.sample.value
        }
    }

    func scrape(_ exporter: Exporter, _ extra: String, scheme: String = "http", directory: String = ".")
        async throws -> (Settled, ActiveTarget?)
    {
        let yaml = """
            scrape_configs:
              - job_name: secured
                scrape_interval: 2s
                scheme: \(scheme)
                static_configs: [{targets: ['\(exporter.address)']}]
            \(extra)
            """
        let appender = MemoryAppender()
        var target: ActiveTarget?
        try await withScraping(yaml, into: appender, directory: directory) { manager in
            try await waitUntil("a scrape that did not time out") {
                guard appender.scrapes.count >= 1, let active = manager.activeTargets.first, active.lastScrape != nil
                else { return false }
                return !active.lastError.hasSuffix("context deadline exceeded")
            }
            target = manager.activeTargets.first
        }
        return (Settled(last: appender.scrapes.last ?? []), target)
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func basicAuth() async throws {
        try await withExporter { exporter in
            var reply = ExporterReply.text("a 1\n")
            reply.requiredAuthorization = Self.basic("scraper", "s3cret-pass")
            exporter.set("/metrics", reply)
            let (good, _) = try await scrape(exporter, "    basic_auth: {username: scraper, password: s3cret-pass}")
            #expect(good.value("up", scrape: 0) == 1)
            let (bad, target) = try await scrape(exporter, "    basic_auth: {username: scraper, password: wrong-pass}")
            #expect(bad.value("up", scrape: 0) == 0)
            #expect(target?.lastError == "server returned HTTP status 401 Unauthorized")
            #expect(!"\(String(describing: target))".contains("wrong-pass"))
        }
    }

    @Test func basicAuthFromFiles() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "scraper\n".write(to: directory.appendingPathComponent("user"), atomically: true, encoding: .utf8)
        try "  file-pass\n".write(to: directory.appendingPathComponent("pass"), atomically: true, encoding: .utf8)
        try await withExporter { exporter in
            var reply = ExporterReply.text("a 1\n")
            reply.requiredAuthorization = Self.basic("scraper", "file-pass")
            exporter.set("/metrics", reply)
            let (appender, _) = try await scrape(
                exporter, "    basic_auth: {username_file: user, password_file: pass}", directory: directory.path)
            #expect(appender.value("up", scrape: 0) == 1)
        }
    }

    @Test func bearerTokens() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try "file-token\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        try await withExporter { exporter in
            var reply = ExporterReply.text("a 1\n")
            reply.requiredAuthorization = "Bearer tok-123"
            exporter.set("/metrics", reply)
            for form in ["authorization: {credentials: tok-123}", "authorization: {type: Bearer, credentials: tok-123}", "bearer_token: tok-123"] {
                let (appender, _) = try await scrape(exporter, "    " + form)
                #expect(appender.value("up", scrape: 0) == 1, "\(form)")
            }
            let (wrong, target) = try await scrape(exporter, "    bearer_token: nope-456")
            #expect(wrong.value("up", scrape: 0) == 0)
            #expect(target?.lastError == "server returned HTTP status 401 Unauthorized")

            reply.requiredAuthorization = "Bearer file-token"
            exporter.set("/metrics", reply)
            for form in ["authorization: {credentials_file: token}", "bearer_token_file: token"] {
                let (appender, _) = try await scrape(exporter, "    " + form, directory: directory.path)
                #expect(appender.value("up", scrape: 0) == 1, "\(form)")
            }
            reply.requiredAuthorization = "Token custom"
            exporter.set("/metrics", reply)
            let (custom, _) = try await scrape(exporter, "    authorization: {type: Token, credentials: custom}")
            #expect(custom.value("up", scrape: 0) == 1)
        }
    }

    @Test func rotatedTokenFileIsReadOnEachScrape() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try "first".write(to: tokenFile, atomically: true, encoding: .utf8)
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let appender = MemoryAppender()
            let yaml = """
                scrape_configs:
                  - job_name: rotating
                    scrape_interval: 2s
                    authorization: {credentials_file: token}
                    static_configs: [{targets: ['\(exporter.address)']}]
                """
            try await withScraping(yaml, into: appender, directory: directory.path) { _ in
                try await waitUntil("a scrape") { appender.scrapes.count >= 1 }
                try "second".write(to: tokenFile, atomically: true, encoding: .utf8)
                try await waitUntil("the new token") {
                    exporter.requests(to: "/metrics").contains { $0.headers["authorization"] == "Bearer second" }
                }
            }
            #expect(exporter.requests(to: "/metrics").first?.headers["authorization"] == "Bearer first")
        }
    }

    @Test func missingCredentialsFileFailsTheScrape() async throws {
        try await withExporter { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let (appender, target) = try await scrape(exporter, "    authorization: {credentials_file: /nonexistent/token}")
            #expect(appender.value("up", scrape: 0) == 0)
            #expect(target?.lastError == "unable to read authorization credentials file /nonexistent/token")
            #expect(exporter.requests(to: "/metrics").isEmpty)
        }
    }

    // MARK: TLS

    @Test func tlsVerification() async throws {
        let certificates = try await TestCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        try await withExporter(tls: try certificates.serverTLS("server")) { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let (trusted, _) = try await scrape(exporter, "    tls_config: {ca_file: \(certificates.ca)}", scheme: "https")
            #expect(trusted.value("up", scrape: 0) == 1)
            let (untrusted, target) = try await scrape(exporter, "", scheme: "https")
            #expect(untrusted.value("up", scrape: 0) == 0)
            #expect(target?.lastError.hasPrefix("Get \"https://\(exporter.address)/metrics\": tls: ") == true, "\(target?.lastError ?? "")")
            let (insecure, _) = try await scrape(exporter, "    tls_config: {insecure_skip_verify: true}", scheme: "https")
            #expect(insecure.value("up", scrape: 0) == 1)
            let (missingCA, missingTarget) = try await scrape(exporter, "    tls_config: {ca_file: /nonexistent/ca.pem}", scheme: "https")
            #expect(missingCA.value("up", scrape: 0) == 0)
            #expect(missingTarget?.lastError == "error creating HTTP client: unable to read CA cert /nonexistent/ca.pem")
        }
        try await withExporter(tls: try certificates.serverTLS("named")) { exporter in
            exporter.set("/metrics", .text("a 1\n"))
            let (byAddress, _) = try await scrape(exporter, "    tls_config: {ca_file: \(certificates.ca)}", scheme: "https")
            #expect(byAddress.value("up", scrape: 0) == 0)
            let (named, namedTarget) = try await scrape(
                exporter, "    tls_config: {ca_file: \(certificates.ca), server_name: exporter.test}", scheme: "https")
            #expect(named.value("up", scrape: 0) == 1, "\(namedTarget?.lastError ?? "")")
            #expect(namedTarget?.scrapeURL == "https://\(exporter.address)/metrics")
            let (wrongName, _) = try await scrape(
                exporter, "    tls_config: {ca_file: \(certificates.ca), server_name: other.test}", scheme: "https")
            #expect(wrongName.value("up", scrape: 0) == 0)
        }
    }
}

extension TestCertificates {
    /// Certificate `name` and its key as a server's TLS settings.
    func serverTLS(_ name: String) throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(path(name + ".pem")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: path(name + ".key"), format: .pem)))
    }
}
