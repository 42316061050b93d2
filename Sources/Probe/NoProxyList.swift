#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A `NO_PROXY` list, read as Go's `net/http` reads it (`golang.org/x/net/http/httpproxy`),
/// which is what Prometheus's `proxy_from_environment` follows. Entries are separated by commas:
///
/// - `*`: no endpoint is proxied;
/// - an IP range in CIDR notation (`10.0.0.0/8`, `fd00::/8`);
/// - an IP address, optionally with a port (`10.1.2.3`, `10.1.2.3:8000`, `[fd00::1]:8000`);
/// - a domain, optionally with a port: `example.com` covers it and its subdomains,
///   `.example.com` and `*.example.com` only its subdomains.
///
/// As in Go, `localhost` and loopback addresses are never proxied, listed or not. Entries that
/// are none of these are ignored.
struct NoProxyList {
    private enum Entry {
        case everything
        case range(IPAddress, prefixLength: Int)
        case address(IPAddress, port: Int?)
        /// `suffix` starts with a dot; `coversItself` when the entry had none.
        case domain(suffix: String, coversItself: Bool, port: Int?)
    }

    private let entries: [Entry]

    init(_ list: String) {
        entries = list.split(separator: ",").compactMap { Self.entry(String($0)) }
    }

    /// Whether a request to `host` (a name or an address, IPv6 with or without brackets) on
    /// `port` goes direct rather than through the proxy.
    func covers(host: String, port: Int) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let address = IPAddress(host)
        if host == "localhost" || address?.isLoopback == true { return true }
        return entries.contains { entry in
            switch entry {
            case .everything:
                return true
            case .range(let network, let prefixLength):
                return address.map { network.contains($0, prefixLength: prefixLength) } ?? false
            case .address(let listed, let listedPort):
                return address == listed && (listedPort == nil || listedPort == port)
            case .domain(let suffix, let coversItself, let listedPort):
                let matches = host.hasSuffix(suffix) || (coversItself && host == suffix.dropFirst())
                return matches && (listedPort == nil || listedPort == port)
            }
        }
    }

    private static func entry(_ text: String) -> Entry? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text.isEmpty { return nil }
        if text == "*" { return .everything }
        if let slash = text.firstIndex(of: "/") {
            guard let network = IPAddress(String(text[..<slash])), let length = Int(text[text.index(after: slash)...]),
                (0...network.bitCount).contains(length)
            else { return nil }
            return .range(network, prefixLength: length)
        }
        if let address = IPAddress(text) { return .address(address, port: nil) }
        guard let (host, port) = splitPort(text) else { return nil }
        if let address = IPAddress(host) { return .address(address, port: port) }
        var name = host
        if name.hasPrefix("*.") { name.removeFirst() }
        guard !name.isEmpty, name != "." else { return nil }
        return name.hasPrefix(".")
            ? .domain(suffix: name, coversItself: false, port: port)
            : .domain(suffix: "." + name, coversItself: true, port: port)
    }

    /// `host:port` or `[v6]:port` split at the port; a text with no port is all host. `nil` for
    /// a port that is not a number, and for `[v6]` with no port, which Go never matches.
    private static func splitPort(_ text: String) -> (host: String, port: Int?)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":") else { return (text, nil) }
        guard let port = Int(text[text.index(after: colon)...]) else { return nil }
        return (String(text[..<colon]), port)
    }
}

/// An IPv4 or IPv6 address as its bytes, parsed with `inet_pton`.
struct IPAddress: Equatable {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    var bitCount: Int { bytes.count * 8 }

    /// `127.0.0.0/8` or `::1`.
    var isLoopback: Bool {
        bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// Whether `address` is in the range of this address's first `prefixLength` bits (both
    /// of the same family).
    func contains(_ address: IPAddress, prefixLength: Int) -> Bool {
        guard address.bytes.count == bytes.count else { return false }
        for bit in stride(from: 0, to: prefixLength, by: 8) {
            let index = bit / 8
            let mask: UInt8 = prefixLength - bit >= 8 ? 0xFF : ~(0xFF >> UInt8(prefixLength - bit))
            if bytes[index] & mask != address.bytes[index] & mask { return false }
        }
        return true
    }
}
