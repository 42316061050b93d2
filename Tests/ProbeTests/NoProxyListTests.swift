import Testing

@testable import Probe

/// `NO_PROXY` is read as Go's `net/http` reads it (Prometheus's `proxy_from_environment`):
/// each case is a list, an endpoint, and whether Go would send that endpoint direct.
struct NoProxyListTests {
    static let cases: [(list: String, host: String, port: Int, direct: Bool)] = [
        // Domains: a bare name covers itself and its subdomains, a leading dot or `*.` only its
        // subdomains; case and spaces around entries do not matter.
        ("example.com", "example.com", 443, true),
        ("example.com", "api.example.com", 443, true),
        ("example.com", "notexample.com", 443, false),
        (".example.com", "api.example.com", 443, true),
        (".example.com", "example.com", 443, false),
        ("*.example.com", "api.example.com", 443, true),
        ("*.example.com", "example.com", 443, false),
        (" foo.org , EXAMPLE.com ", "Api.Example.COM", 443, true),
        // Ports: an entry with one covers that port only.
        ("example.com:8443", "api.example.com", 8443, true),
        ("example.com:8443", "api.example.com", 443, false),
        ("10.1.2.3:8000", "10.1.2.3", 8000, true),
        ("10.1.2.3:8000", "10.1.2.3", 8001, false),
        ("[fd00::1]:8000", "[fd00::1]", 8000, true),
        // Addresses and ranges.
        ("10.1.2.3", "10.1.2.3", 80, true),
        ("10.1.2.3", "10.1.2.4", 80, false),
        ("10.0.0.0/8", "10.200.3.4", 80, true),
        ("10.0.0.0/8", "11.0.0.1", 80, false),
        ("192.168.4.0/22", "192.168.7.255", 80, true),
        ("192.168.4.0/22", "192.168.8.0", 80, false),
        ("fd00::/8", "fd12:3456::1", 443, true),
        ("fd00::/8", "fe80::1", 443, false),
        ("10.0.0.0/8", "vllm.internal", 80, false),
        ("fd00::1", "fd00:0:0::1", 80, true),
        // Everything, nothing, and what Go never proxies.
        ("*", "api.openai.com", 443, true),
        ("", "api.openai.com", 443, false),
        ("", "localhost", 11434, true),
        ("", "127.0.0.53", 80, true),
        ("", "[::1]", 80, true),
        // Entries that are none of the forms are ignored, not fatal.
        ("10.0.0.0/99,:80,example.com:http,.", "10.0.0.1", 80, false),
        ("10.0.0.0/99,bad:port,vllm.internal", "vllm.internal", 80, true),
        ("[fd00::1]", "fd00::1", 80, false),
    ]

    @Test(arguments: cases.indices)
    func coversAsGoDoes(_ index: Int) {
        let entry = Self.cases[index]
        let list = NoProxyList(entry.list)
        #expect(list.covers(host: entry.host, port: entry.port) == entry.direct, "\(entry.list) for \(entry.host):\(entry.port)")
    }

    @Test func theEnvironmentListDecidesTheProxyOfEachEndpoint() throws {
        let environment = ["HTTPS_PROXY": "proxy.corp:3128", "NO_PROXY": "10.0.0.0/8,models.corp:8443"]
        let config = try ProbeConfigLoader(environment: environment).parse(
            """
            models:
              - {name: inRange, provider: openai_compatible, model: m, endpoint: "https://10.4.5.6/v1", proxy_from_environment: true}
              - {name: listedPort, provider: openai_compatible, model: m, endpoint: "https://gpu.models.corp:8443/v1", proxy_from_environment: true}
              - {name: otherPort, provider: openai_compatible, model: m, endpoint: "https://gpu.models.corp/v1", proxy_from_environment: true}
              - {name: loopback, provider: openai_compatible, model: m, endpoint: "https://127.0.0.1:8000/v1", proxy_from_environment: true}
            """, file: "proxy.yml")
        let proxies = config.models.map(\.proxy)
        #expect(proxies[0] == nil, "10.0.0.0/8 covers 10.4.5.6")
        #expect(proxies[1] == nil, "models.corp:8443 covers port 8443")
        #expect(proxies[2] == ProxyServer(host: "proxy.corp", port: 3128), "the default port 443 is not 8443")
        #expect(proxies[3] == nil, "loopback is never proxied")
    }
}
