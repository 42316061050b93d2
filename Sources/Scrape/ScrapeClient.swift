import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import PrometheusConfig
import Synchronization

/// A page as a target served it.
struct FetchedPage: Sendable {
    /// The body, uncompressed.
    var bytes: [UInt8]
    /// The `Content-Type` header, when there was one.
    var contentType: String?
}

/// The HTTP side of a scrape pool: one AsyncHTTPClient configured from the job's
/// `HTTPClientConfig` (TLS, redirects, HTTP/2), and the request every scrape sends.
///
/// The client is made on first use, so a pool that never scrapes opens nothing; `shutdown()`
/// must run once its loops are done. With `tls_config.server_name` set, each target host gets a
/// client of its own that connects to the target but verifies (and sends SNI for) the server name.
final class ScrapeClient: Sendable {
    private let http: HTTPClientConfig
    private let configuration: Result<HTTPClient.Configuration, ScrapeFailure>
    private let clients = Mutex<[String: HTTPClient]>([:])
    private let isShutDown = Mutex(false)

    /// Bodies are capped here when the job sets no `body_size_limit` (Prometheus: no cap).
    static let defaultBodyLimit = 1 << 30

    init(http: HTTPClientConfig) {
        self.http = http
        configuration = Result { () throws(ScrapeFailure) in try Self.makeConfiguration(http) }
    }

    /// The client that resolves host names as `dnsOverride` says: with `server_name`
    /// configured, the server name to the target's host (``TLSConfig/connection(to:)``), one
    /// client per target host.
    private func client(dnsOverride: [String: String]) throws(ScrapeFailure) -> HTTPClient {
        let base = try configuration.get()
        let key = dnsOverride.values.first ?? ""
        return try clients.withLock { (clients) throws(ScrapeFailure) -> HTTPClient in
            if let existing = clients[key] { return existing }
            if isShutDown.withLock({ $0 }) { throw ScrapeFailure(.connection, "scrape pool is stopping") }
            var configuration = base
            configuration.dnsOverride = dnsOverride
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// Shuts every client down; scrapes after this fail.
    func shutdown() async {
        isShutDown.withLock { $0 = true }
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }

    /// GETs `url` as Prometheus's `targetScraper` does, within `timeout`, refusing a body that
    /// reaches `bodyLimit` bytes (uncompressed).
    func fetch(
        url: String, host: String, headers: [(String, String)], timeout: Duration, bodyLimit: Int, sizeHint: Int
    ) async -> Result<FetchedPage, ScrapeFailure> {
        let limit = bodyLimit > 0 ? bodyLimit : Self.defaultBodyLimit
        let timedOut = ScrapeFailure(.timeout, "Get \"\(url)\": context deadline exceeded")
        return await withTaskGroup(of: Result<FetchedPage, ScrapeFailure>?.self) { group in
            group.addTask {
                await self.fetchOnce(
                    url: url, host: host, headers: headers, timeout: timeout, limit: limit, sizeHint: sizeHint)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(timedOut)
        }
    }

    private func fetchOnce(
        url: String, host: String, headers: [(String, String)], timeout: Duration, limit: Int, sizeHint: Int
    ) async -> Result<FetchedPage, ScrapeFailure> {
        let (requestURL, dnsOverride) = http.tls.connection(to: url)
        do {
            let client = try client(dnsOverride: dnsOverride)
            var request = HTTPClientRequest(url: requestURL)
            request.method = .GET
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization = try Self.authorizationHeader(http) {
                request.headers.replaceOrAdd(name: "Authorization", value: authorization)
            }
            let deadline = NIODeadline.now() + .milliseconds(timeout.milliseconds)
            let response = try await client.execute(request, deadline: deadline)
            guard response.status == .ok else {
                return .failure(
                    ScrapeFailure(
                        .httpStatus, "server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)"))
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(max(sizeHint, 4096), limit))
            for try await chunk in response.body {
                if bytes.count + chunk.readableBytes >= limit {
                    return .failure(.bodySizeLimitExceeded)
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
            return .success(FetchedPage(bytes: bytes, contentType: response.headers.first(name: "content-type")))
        } catch let failure as ScrapeFailure {
            return .failure(failure)
        } catch {
            return .failure(Self.describe(error, url: url, host: host))
        }
    }

    /// Prometheus-style text for a transport error.
    static func describe(_ error: any Error, url: String, host: String) -> ScrapeFailure {
        if error is CancellationError {
            return ScrapeFailure(.timeout, "Get \"\(url)\": context deadline exceeded")
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .cancelled:
                return ScrapeFailure(.timeout, "Get \"\(url)\": context deadline exceeded")
            case .remoteConnectionClosed:
                return ScrapeFailure(.connection, "Get \"\(url)\": EOF")
            case .redirectLimitReached, .redirectCycleDetected:
                return ScrapeFailure(.connection, "Get \"\(url)\": stopped after too many redirects")
            default:
                break
            }
        }
        let text = String(describing: error)
        if text.contains("connection refused") || text.contains("Connection refused") || text.contains("errno: 111") {
            return ScrapeFailure(.connection, "Get \"\(url)\": dial tcp \(host): connect: connection refused")
        }
        if error is NIOSSLError || text.contains("NIOSSL") || text.contains("handshake") {
            return ScrapeFailure(.connection, "Get \"\(url)\": tls: \(text)")
        }
        return ScrapeFailure(.connection, "Get \"\(url)\": \(text)")
    }

    /// The `Authorization` header for `http`, as a scrape failure when a credential file is unreadable.
    static func authorizationHeader(_ http: HTTPClientConfig) throws(ScrapeFailure) -> String? {
        do {
            return try http.authorizationHeader()
        } catch {
            throw ScrapeFailure(.configuration, error.description)
        }
    }

    /// The client configuration for a job, or why it cannot be built (a CA file that does not load).
    private static func makeConfiguration(_ http: HTTPClientConfig) throws(ScrapeFailure) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try tlsConfiguration(http.tls)
        configuration.redirectConfiguration = http.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        configuration.decompression = .enabled(limit: .none)
        configuration.httpVersion = http.enableHTTP2 ? .automatic : .http1Only
        configuration.connectionPool = .init(idleTimeout: .minutes(5))
        // One dial per scrape, as Go's client makes: a refused connection fails the scrape at
        // once rather than being retried until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// The job's `tls_config` as NIOSSL settings, as a scrape failure when its files do not load.
    static func tlsConfiguration(_ tls: PrometheusConfig.TLSConfig) throws(ScrapeFailure) -> NIOSSL.TLSConfiguration {
        do {
            return try tls.clientConfiguration()
        } catch {
            throw ScrapeFailure(.configuration, error.description)
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
