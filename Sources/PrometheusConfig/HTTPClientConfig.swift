import Foundation
import Config

/// How requests to targets, Alertmanagers and remote-write endpoints authenticate and connect:
/// the fields Prometheus inlines from `common/config.HTTPClientConfig`.
///
/// Secrets are `ConfigSecret`s and file paths are resolved against the configuration file's
/// directory; files are read when a request is made (so a rotated token file is picked up), not
/// at load.
public struct HTTPClientConfig: Sendable, Hashable {
    /// `basic_auth`.
    public var basicAuth: BasicAuth?
    /// `authorization`, or the `bearer_token` / `bearer_token_file` of Prometheus 2 configs,
    /// which Prometheus turns into an `authorization` of type `Bearer`.
    public var authorization: Authorization?
    /// `tls_config`.
    public var tls: TLSConfig
    /// `follow_redirects`; true by default.
    public var followRedirects: Bool
    /// `enable_http2`; true by default (false for remote write).
    public var enableHTTP2: Bool

    /// The defaults: no credentials, default TLS, redirects followed, HTTP/2 allowed.
    public init(
        basicAuth: BasicAuth? = nil, authorization: Authorization? = nil, tls: TLSConfig = TLSConfig(),
        followRedirects: Bool = true, enableHTTP2: Bool = true
    ) {
        self.basicAuth = basicAuth
        self.authorization = authorization
        self.tls = tls
        self.followRedirects = followRedirects
        self.enableHTTP2 = enableHTTP2
    }

    /// Fields of Prometheus's HTTP client config that llmwatch does not implement.
    static let unsupported: [String: String] = [
        "oauth2": "OAuth 2.0 client credentials are not implemented; use authorization with a token file",
        "proxy_url": "scraping through an HTTP proxy is not implemented",
        "no_proxy": "scraping through an HTTP proxy is not implemented",
        "proxy_from_environment": "scraping through an HTTP proxy is not implemented",
        "proxy_connect_header": "scraping through an HTTP proxy is not implemented",
        "http_headers": "custom request headers are not implemented",
    ]

    /// Reads the inlined HTTP client fields of `mapping` (a scrape config, an Alertmanager or a
    /// remote-write entry) and validates them as Prometheus's `HTTPClientConfig.Validate` does.
    static func decode(
        _ mapping: ConfigMapping, context: DecodeContext, enableHTTP2Default: Bool = true
    ) throws(ConfigError) -> HTTPClientConfig {
        try mapping.rejectUnsupported(unsupported)
        var config = HTTPClientConfig(enableHTTP2: enableHTTP2Default)
        config.followRedirects = try mapping.bool("follow_redirects", default: true)
        config.enableHTTP2 = try mapping.bool("enable_http2", default: enableHTTP2Default)
        if let node = mapping.optional("tls_config") {
            config.tls = try TLSConfig.decode(node, context: context)
        }
        let basicNode = mapping.optional("basic_auth")
        if let basicNode {
            config.basicAuth = try BasicAuth.decode(basicNode, context: context)
        }
        let tokenNode = mapping.optional("bearer_token")
        let tokenFileNode = mapping.optional("bearer_token_file")
        let token = try tokenNode?.string() ?? ""
        let tokenFile = try tokenFileNode?.string() ?? ""
        if !token.isEmpty, !tokenFile.isEmpty, let tokenFileNode {
            throw tokenFileNode.error("at most one of bearer_token & bearer_token_file must be configured")
        }
        if basicNode != nil, let node = token.isEmpty ? (tokenFile.isEmpty ? nil : tokenFileNode) : tokenNode {
            throw node.error("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured")
        }
        if let node = mapping.optional("authorization") {
            if let tokenNode = token.isEmpty ? (tokenFile.isEmpty ? nil : tokenFileNode) : tokenNode {
                throw tokenNode.error(
                    "authorization is not compatible with bearer_token & bearer_token_file (bearer_token is the "
                        + "Prometheus 2 spelling of authorization; keep one)")
            }
            config.authorization = try Authorization.decode(node, context: context)
            if basicNode != nil {
                throw node.error("at most one of basic_auth, oauth2 & authorization must be configured")
            }
        } else if !token.isEmpty {
            config.authorization = Authorization(type: "Bearer", credentials: .inline(ConfigSecret(token)))
        } else if !tokenFile.isEmpty {
            config.authorization = Authorization(type: "Bearer", credentials: .file(context.resolve(tokenFile)))
        }
        return config
    }

    /// Why a credential file could not be read.
    public struct CredentialError: Error, Sendable, CustomStringConvertible {
        /// Which file, and what it was for.
        public let description: String
    }

    /// The `Authorization` header from `basic_auth` or `authorization`, reading credential files
    /// each time (so a rotated token is picked up) and trimming them, as Prometheus does; nil
    /// when neither is set. Used for scrapes, Alertmanagers and remote write alike.
    public func authorizationHeader() throws(CredentialError) -> String? {
        if let basic = basicAuth {
            let username =
                try basic.usernameFile.map { (path) throws(CredentialError) in try Self.readSecret(path, what: "basic auth username") }
                ?? basic.username
            let password =
                try basic.passwordFile.map { (path) throws(CredentialError) in try Self.readSecret(path, what: "basic auth password") }
                ?? basic.password?.value ?? ""
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
        if let authorization {
            switch authorization.credentials {
            case .inline(let secret): return "\(authorization.type) \(secret.value)"
            case .file(let path):
                return "\(authorization.type) \(try Self.readSecret(path, what: "authorization credentials"))"
            case nil: return authorization.type
            }
        }
        return nil
    }

    private static func readSecret(_ path: String, what: String) throws(CredentialError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialError(description: "unable to read \(what) file \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every file the config refers to (credentials, CA, client certificate and key), for
    /// checks that they exist.
    public var referencedFiles: [String] {
        var files: [String] = []
        if let file = basicAuth?.passwordFile { files.append(file) }
        if let file = basicAuth?.usernameFile { files.append(file) }
        if case .file(let path) = authorization?.credentials { files.append(path) }
        files.append(contentsOf: [tls.caFile, tls.certFile, tls.keyFile].compactMap { $0 })
        return files
    }
}

/// `basic_auth`: a user name and a password, either of which may come from a file.
public struct BasicAuth: Sendable, Hashable {
    /// `username`.
    public var username: String
    /// `username_file`, resolved against the configuration file's directory.
    public var usernameFile: String?
    /// `password`.
    public var password: ConfigSecret?
    /// `password_file`, resolved against the configuration file's directory.
    public var passwordFile: String?

    /// Creates basic credentials.
    public init(username: String, usernameFile: String? = nil, password: ConfigSecret? = nil, passwordFile: String? = nil) {
        self.username = username
        self.usernameFile = usernameFile
        self.password = password
        self.passwordFile = passwordFile
    }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> BasicAuth {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported([
            "username_ref": "secret manager references are not implemented; use username_file",
            "password_ref": "secret manager references are not implemented; use password_file",
        ])
        let username = try mapping.string("username") ?? ""
        let usernameFile = try mapping.string("username_file") ?? ""
        let password = try mapping.string("password") ?? ""
        let passwordFile = try mapping.string("password_file") ?? ""
        try mapping.rejectUnknownKeys()
        if !username.isEmpty, !usernameFile.isEmpty {
            throw mapping.position("username_file").error(
                "at most one of basic_auth username & username_file must be configured")
        }
        if !password.isEmpty, !passwordFile.isEmpty {
            throw mapping.position("password_file").error(
                "at most one of basic_auth password & password_file must be configured")
        }
        return BasicAuth(
            username: username, usernameFile: usernameFile.isEmpty ? nil : context.resolve(usernameFile),
            password: password.isEmpty ? nil : ConfigSecret(password),
            passwordFile: passwordFile.isEmpty ? nil : context.resolve(passwordFile))
    }
}

/// `authorization`: an `Authorization: <type> <credentials>` header.
public struct Authorization: Sendable, Hashable {
    /// Where the credentials come from.
    public enum Credentials: Sendable, Hashable {
        /// Written in the file (`credentials`).
        case inline(ConfigSecret)
        /// Read from this file on each request (`credentials_file`), resolved against the
        /// configuration file's directory.
        case file(String)
    }

    /// The scheme, `Bearer` by default; never `Basic` (use `basic_auth`).
    public var type: String
    /// The credentials; nil sends `Authorization: <type>` alone, as Prometheus does.
    public var credentials: Credentials?

    /// Creates an authorization.
    public init(type: String = "Bearer", credentials: Credentials? = nil) {
        self.type = type
        self.credentials = credentials
    }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> Authorization {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported([
            "credentials_ref": "secret manager references are not implemented; use credentials_file"
        ])
        var type = try mapping.string("type") ?? ""
        let credentials = try mapping.string("credentials") ?? ""
        let credentialsFile = try mapping.string("credentials_file") ?? ""
        try mapping.rejectUnknownKeys()
        if !credentials.isEmpty, !credentialsFile.isEmpty {
            throw mapping.position("credentials_file").error(
                "at most one of authorization credentials & credentials_file must be configured")
        }
        type = type.trimmingCharacters(in: .whitespaces)
        if type.isEmpty { type = "Bearer" }
        if type.lowercased() == "basic" {
            throw mapping.position("type").error(
                #"authorization type cannot be set to "basic", use "basic_auth" instead"#)
        }
        let source: Credentials? =
            !credentials.isEmpty
            ? .inline(ConfigSecret(credentials))
            : credentialsFile.isEmpty ? nil : .file(context.resolve(credentialsFile))
        return Authorization(type: type, credentials: source)
    }
}
