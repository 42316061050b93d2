import Config

/// `tls_config`: how a TLS connection is verified and which client certificate it presents.
public struct TLSConfig: Sendable, Hashable {
    /// A TLS protocol version as Prometheus names it.
    public enum Version: String, Sendable, Hashable, CaseIterable, Comparable {
        /// TLS 1.0.
        case tls10 = "TLS10"
        /// TLS 1.1.
        case tls11 = "TLS11"
        /// TLS 1.2.
        case tls12 = "TLS12"
        /// TLS 1.3.
        case tls13 = "TLS13"

        /// Orders by protocol version.
        public static func < (lhs: Version, rhs: Version) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// `ca`: PEM text of the CA certificates that verify the server.
    public var ca: String?
    /// `ca_file`, resolved against the configuration file's directory.
    public var caFile: String?
    /// `cert`: PEM text of the client certificate.
    public var cert: String?
    /// `cert_file`, resolved.
    public var certFile: String?
    /// `key`: PEM text of the client key.
    public var key: ConfigSecret?
    /// `key_file`, resolved.
    public var keyFile: String?
    /// `server_name`: the name the server certificate must carry (and SNI sends).
    public var serverName: String?
    /// `insecure_skip_verify`: accept any server certificate.
    public var insecureSkipVerify: Bool
    /// `min_version`; TLS 1.2 when unset, as Go's default.
    public var minVersion: Version?
    /// `max_version`.
    public var maxVersion: Version?

    /// No CA, no client certificate, verification on.
    public init(
        ca: String? = nil, caFile: String? = nil, cert: String? = nil, certFile: String? = nil,
        key: ConfigSecret? = nil, keyFile: String? = nil, serverName: String? = nil,
        insecureSkipVerify: Bool = false, minVersion: Version? = nil, maxVersion: Version? = nil
    ) {
        self.ca = ca
        self.caFile = caFile
        self.cert = cert
        self.certFile = certFile
        self.key = key
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }

    /// Whether a client certificate is configured.
    public var hasClientCertificate: Bool { cert != nil || certFile != nil }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> TLSConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported([
            "ca_ref": "secret manager references are not implemented; use ca_file",
            "cert_ref": "secret manager references are not implemented; use cert_file",
            "key_ref": "secret manager references are not implemented; use key_file",
            "next_protos": "choosing ALPN protocols is not implemented",
        ])
        func text(_ key: String) throws(ConfigError) -> String? {
            guard let value = try mapping.string(key), !value.isEmpty else { return nil }
            return value
        }
        func version(_ key: String) throws(ConfigError) -> Version? {
            guard let node = mapping.optional(key) else { return nil }
            let name = try node.string()
            guard let version = Version(rawValue: name) else {
                throw node.error("unknown TLS version: \(name) (use TLS10, TLS11, TLS12 or TLS13)")
            }
            return version
        }
        var config = TLSConfig(
            ca: try text("ca"), caFile: try text("ca_file").map(context.resolve), cert: try text("cert"),
            certFile: try text("cert_file").map(context.resolve), key: try text("key").map(ConfigSecret.init),
            keyFile: try text("key_file").map(context.resolve), serverName: try text("server_name"),
            insecureSkipVerify: try mapping.bool("insecure_skip_verify", default: false))
        config.minVersion = try version("min_version")
        config.maxVersion = try version("max_version")
        try mapping.rejectUnknownKeys()
        if config.ca != nil, config.caFile != nil {
            throw mapping.position("ca_file").error("at most one of ca and ca_file must be configured")
        }
        if config.cert != nil, config.certFile != nil {
            throw mapping.position("cert_file").error("at most one of cert and cert_file must be configured")
        }
        if config.key != nil, config.keyFile != nil {
            throw mapping.position("key_file").error("at most one of key and key_file must be configured")
        }
        let hasKey = config.key != nil || config.keyFile != nil
        if config.hasClientCertificate, !hasKey {
            throw node.error(
                "exactly one of key or key_file must be configured when a client certificate is configured")
        }
        if hasKey, !config.hasClientCertificate {
            throw node.error("exactly one of cert or cert_file must be configured when a client key is configured")
        }
        if let minimum = config.minVersion, let maximum = config.maxVersion, maximum < minimum {
            throw mapping.position("max_version").error(
                "tls_config.max_version must be greater than or equal to tls_config.min_version if both are specified")
        }
        return config
    }
}
