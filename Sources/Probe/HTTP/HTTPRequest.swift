import Foundation
import NIOCore
import NIOHTTP1

/// Where a request goes: what the connection pool keys its idle connections by.
struct HTTPEndpoint: Hashable, Sendable {
    /// Whether the connection speaks TLS (`https`).
    var isTLS: Bool
    /// The host name or IP address, without brackets around an IPv6 address.
    var host: String
    var port: Int
    /// The proxy connections go through: for `https`, a `CONNECT` tunnel to `host:port`.
    var proxy: ProxyServer?

    /// The port a URL means when it names none: 443 for `https`, 80 for `http`.
    static func defaultPort(isTLS: Bool) -> Int { isTLS ? 443 : 80 }
}

/// A request ready to be written to a connection, built once per prompt: the endpoint, the head
/// (method, path and query, headers with `host` and `content-length`) and the body.
struct HTTPRequest: Sendable {
    var endpoint: HTTPEndpoint
    var head: HTTPRequestHead
    var body: ByteBuffer?

    /// Why a URL cannot be requested; the URL itself is left out, as it may carry a key.
    struct InvalidURL: Error, CustomStringConvertible {
        var reason: String
        var description: String { "invalid URL: \(reason)" }
    }

    /// A request of `method` for `url` (`http` or `https`) with `headers` and `body`, through
    /// `proxy` if one is given: a plain `http` request then names the whole URL (absolute form)
    /// and carries the proxy's credentials; an `https` one is sent as is, inside the tunnel.
    init(
        url: String, method: HTTPMethod, headers: [(String, String)], body: [UInt8]?, proxy: ProxyServer? = nil
    ) throws(InvalidURL) {
        guard let components = URLComponents(string: url) else { throw InvalidURL(reason: "not a URL") }
        let isTLS: Bool
        switch components.scheme?.lowercased() {
        case "https": isTLS = true
        case "http": isTLS = false
        default: throw InvalidURL(reason: "the scheme is neither http nor https")
        }
        guard var host = components.host, !host.isEmpty else { throw InvalidURL(reason: "no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? HTTPEndpoint.defaultPort(isTLS: isTLS)
        endpoint = HTTPEndpoint(isTLS: isTLS, host: host, port: port, proxy: proxy)

        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var fields = HTTPHeaders()
        let hostField = host.contains(":") ? "[\(host)]" : host
        let authority = port == HTTPEndpoint.defaultPort(isTLS: isTLS) ? hostField : "\(hostField):\(port)"
        fields.add(name: "host", value: authority)
        for (name, value) in headers { fields.add(name: name, value: value) }
        if let proxy, proxy.kind == .http, !isTLS {
            target = "http://\(authority)\(target)"
            if let authorization = proxy.authorization { fields.add(name: "proxy-authorization", value: authorization.value) }
        }
        if let body {
            fields.replaceOrAdd(name: "content-type", value: "application/json")
            fields.replaceOrAdd(name: "content-length", value: String(body.count))
            self.body = ByteBuffer(bytes: body)
        } else {
            self.body = nil
        }
        head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: fields)
    }
}
