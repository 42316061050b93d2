import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Where and how to POST: a URL, extra headers (authorization), a timeout.
public struct HTTPDestination: Sendable, Hashable {
    /// The full URL requests go to, e.g. `http://127.0.0.1:9093/api/v2/alerts`.
    public var url: String
    /// Headers added to every request (`Authorization` among them); never logged.
    public var headers: [String: String]
    /// How long one request may take.
    public var timeout: Duration
    /// TLS settings of its own (`tls_config`), sent with a client of its own; nil for the
    /// notifier's shared client (the system's trusted CAs).
    public var connection: ClientConnection?

    /// Creates a destination.
    public init(
        url: String, headers: [String: String] = [:], timeout: Duration = .seconds(10), connection: ClientConnection? = nil
    ) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.connection = connection
    }

    /// The URL without any `user:password@` part, for logs and metric labels.
    public var displayName: String {
        guard var components = URLComponents(string: url), components.password != nil || components.user != nil
        else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}

/// How a destination with its own `tls_config` is connected to (an Alertmanager's; the
/// evaluator connects remote-write endpoints the same way).
public struct ClientConnection: Sendable, Hashable {
    /// The client's TLS settings.
    public var tls: TLSConfiguration
    /// Where requests go when that differs from the destination's URL: with
    /// `tls_config.server_name`, the URL names the server, so that its certificate is checked
    /// against that name and SNI sends it.
    public var requestURL: String?
    /// Host names the client resolves to another host: the server name to the URL's own host.
    public var dnsOverride: [String: String]

    /// Creates the settings.
    public init(tls: TLSConfiguration, requestURL: String? = nil, dnsOverride: [String: String] = [:]) {
        self.tls = tls
        self.requestURL = requestURL
        self.dnsOverride = dnsOverride
    }

    /// An AsyncHTTPClient with these settings, connecting within 5 s as the shared one does;
    /// the caller shuts it down.
    public func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(5)))
        configuration.dnsOverride = dnsOverride
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Equal when the TLS settings are equal as far as NIOSSL can tell (it cannot compare
    /// callbacks; these settings have none) and the rest is.
    public static func == (lhs: ClientConnection, rhs: ClientConnection) -> Bool {
        lhs.tls.bestEffortEquals(rhs.tls) && lhs.requestURL == rhs.requestURL && lhs.dnsOverride == rhs.dnsOverride
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        tls.bestEffortHash(into: &hasher)
        hasher.combine(requestURL)
        hasher.combine(dnsOverride)
    }
}

/// POSTs JSON bodies with AsyncHTTPClient and classifies the answer.
struct JSONPoster: Sendable {
    let client: HTTPClient
    let destination: HTTPDestination
    let userAgent: String

    func post(_ body: [UInt8]) async -> DeliveryResult {
        var request = HTTPClientRequest(url: destination.connection?.requestURL ?? destination.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        for (name, value) in destination.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = destination.timeout.components.seconds
        let timeout = TimeAmount.milliseconds(
            seconds * 1000 + destination.timeout.components.attoseconds / 1_000_000_000_000_000)
        do {
            let response = try await client.execute(request, timeout: timeout)
            let text = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            let code = Int(response.status.code)
            switch code {
            case 200..<300:
                return .delivered
            case 400..<500 where code != 408 && code != 429:
                return .rejected("HTTP \(code): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            default:
                return .failed("HTTP \(code): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        } catch {
            return .failed(Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded { return "request timed out" }
        if error is NIOConnectionError { return "connection refused" }
        return "\(error)"
    }
}

/// An Alertmanager's `POST /api/v2/alerts`, batches of 64 alerts as in Prometheus.
public struct AlertmanagerEndpoint: DeliveryEndpoint {
    /// Where the alerts go.
    public let destination: HTTPDestination
    private let poster: JSONPoster

    /// An endpoint POSTing to `destination` with `client`.
    public init(destination: HTTPDestination, client: HTTPClient, userAgent: String) {
        self.destination = destination
        poster = JSONPoster(client: client, destination: destination, userAgent: userAgent)
    }

    /// See `DeliveryEndpoint.name`.
    public var name: String { destination.displayName }
    /// See `DeliveryEndpoint.batchLimit`: Prometheus's `maxBatchSize`.
    public var batchLimit: Int { 64 }

    /// See `DeliveryEndpoint.deliver`.
    public func deliver(_ batch: [PostableAlert]) async -> DeliveryResult {
        await poster.post(AlertmanagerPayload.encode(batch))
    }
}

/// A plain webhook receiving Alertmanager's webhook payload (version 4), one group per request.
public struct WebhookEndpoint: DeliveryEndpoint {
    /// Where the payloads go.
    public let destination: HTTPDestination
    private let poster: JSONPoster

    /// An endpoint POSTing to `destination` with `client`.
    public init(destination: HTTPDestination, client: HTTPClient, userAgent: String) {
        self.destination = destination
        poster = JSONPoster(client: client, destination: destination, userAgent: userAgent)
    }

    /// See `DeliveryEndpoint.name`.
    public var name: String { destination.displayName }
    /// See `DeliveryEndpoint.batchLimit`.
    public var batchLimit: Int { 1 }

    /// See `DeliveryEndpoint.deliver`.
    public func deliver(_ batch: [WebhookPayload]) async -> DeliveryResult {
        for payload in batch {
            let result = await poster.post(payload.encode())
            if result != .delivered { return result }
        }
        return .delivered
    }
}
