import Foundation
import NIOSSL
import PrometheusConfig

/// Why a `tls_config` cannot be turned into client settings: a CA, certificate or key that
/// cannot be read or used. The text is Prometheus's ("error creating HTTP client: ...").
public struct TLSSetupError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public let description: String
}

extension PrometheusConfig.TLSConfig {
    /// NIOSSL's client settings for this `tls_config`: its CA (PEM text or file) as the only
    /// trust roots, its client certificate and key, `insecure_skip_verify`, and the protocol
    /// versions (TLS 1.2 at least unless `min_version` says otherwise, as Go's client). Files
    /// are read now. `server_name` is not part of it: a client connects under that name with
    /// ``connection(to:)``.
    public func clientConfiguration() throws(TLSSetupError) -> NIOSSL.TLSConfiguration {
        var configuration = NIOSSL.TLSConfiguration.makeClientConfiguration()
        if insecureSkipVerify { configuration.certificateVerification = .none }
        func pem(_ inline: String?, file: String?, what: String) throws(TLSSetupError) -> [UInt8]? {
            if let inline { return Array(inline.utf8) }
            guard let file else { return nil }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw TLSSetupError(description: "error creating HTTP client: unable to read \(what) \(file)")
            }
            return Array(data)
        }
        do {
            if let ca = try pem(ca, file: caFile, what: "CA cert") {
                let certificates = try NIOSSLCertificate.fromPEMBytes(ca)
                if certificates.isEmpty {
                    throw TLSSetupError(description: "error creating HTTP client: unable to use specified CA cert")
                }
                configuration.trustRoots = .certificates(certificates)
            }
            if let cert = try pem(cert, file: certFile, what: "client cert"),
                let key = try pem(key?.value, file: keyFile, what: "client key")
            {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch let failure as TLSSetupError {
            throw failure
        } catch {
            throw TLSSetupError(description: "error creating HTTP client: unable to use specified TLS files: \(error)")
        }
        let versions: [Version: TLSVersion] = [.tls10: .tlsv1, .tls11: .tlsv11, .tls12: .tlsv12, .tls13: .tlsv13]
        configuration.minimumTLSVersion = minVersion.flatMap { versions[$0] } ?? .tlsv12
        if let maximum = maxVersion.flatMap({ versions[$0] }) { configuration.maximumTLSVersion = maximum }
        return configuration
    }

    /// How an AsyncHTTPClient reaches `url` under this `tls_config`: the URL to request and the
    /// DNS override to give the client. With `server_name`, the URL names the server (so the
    /// certificate is checked against it and SNI sends it) and the override sends the
    /// connection to the URL's own host; without it, `url` unchanged and no override.
    public func connection(to url: String) -> (url: String, dnsOverride: [String: String]) {
        guard let serverName, var components = URLComponents(string: url), let host = components.host else {
            return (url, [:])
        }
        components.host = serverName
        let target = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return (components.string ?? url, [serverName: target])
    }
}
