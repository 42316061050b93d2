import Foundation

/// A CA and certificates it signed, made with openssl in a temporary directory, two days valid:
/// `server` for `exporter.test` and 127.0.0.1, `named` for `exporter.test` only, and `client`
/// (`CN=llmwatch-test`) for a client that must present one. Each `<name>.pem` has its
/// `<name>.key` beside it.
public struct TestCertificates: Sendable {
    /// Where the files are; the caller removes it.
    public var directory: URL
    /// The CA certificate's path.
    public var ca: String { path("ca.pem") }

    /// The path of `file` in the directory.
    public func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// Makes the CA and the three certificates.
    public static func make() async throws -> TestCertificates {
        let directory = try Programs.temporaryDirectory()
        func run(_ arguments: [String]) async throws {
            let result = try await runProgram("/usr/bin/openssl", arguments, workingDirectory: directory)
            guard result.status == 0 else { throw TestFailure("openssl \(arguments): \(result.output)") }
        }
        try await run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=llmwatch test CA"])
        let certificates = [
            ("server", "/CN=exporter.test", "subjectAltName=DNS:exporter.test,IP:127.0.0.1"),
            ("named", "/CN=exporter.test", "subjectAltName=DNS:exporter.test"),
            ("client", "/CN=llmwatch-test", "extendedKeyUsage=clientAuth"),
        ]
        for (name, subject, extensions) in certificates {
            try await run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr",
                "-subj", subject])
            try "\(extensions)\n".write(
                to: directory.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
            try await run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        }
        return TestCertificates(directory: directory)
    }
}
