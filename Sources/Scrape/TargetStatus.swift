import Foundation
import Series

/// The health of a target after its last scrape, as `/api/v1/targets` reports it.
public enum TargetHealth: String, Sendable, Hashable {
    /// The last scrape succeeded.
    case up
    /// The last scrape failed; `lastError` says why.
    case down
    /// Not scraped yet.
    case unknown
}

/// A target being scraped: what `/api/v1/targets` lists under `activeTargets`.
public struct ActiveTarget: Sendable, Hashable {
    /// The labels the target had when discovered, before relabeling (`__`-prefixed included).
    public var discoveredLabels: Labels
    /// The target's labels after relabeling, without `__`-prefixed ones: what its series carry.
    public var labels: Labels
    /// The job (scrape config) it belongs to.
    public var scrapePool: String
    /// The URL scraped.
    public var scrapeURL: String
    /// The URL as reachable from outside (loopback hosts replaced by the external host, when
    /// `ScrapeManager.Options.globalURL` is set), as Prometheus's `globalUrl`.
    public var globalURL: String
    /// The health after the last scrape.
    public var health: TargetHealth
    /// The error of the last scrape, empty when it succeeded.
    public var lastError: String
    /// When the last scrape started (wall clock); nil before the first.
    public var lastScrape: Date?
    /// How long the last scrape took, in seconds.
    public var lastScrapeDuration: Double
    /// The target's scrape interval, as written (`15s`).
    public var scrapeInterval: String
    /// The target's scrape timeout, as written.
    public var scrapeTimeout: String

    /// Creates a description of an active target.
    public init(
        discoveredLabels: Labels, labels: Labels, scrapePool: String, scrapeURL: String, globalURL: String,
        health: TargetHealth, lastError: String, lastScrape: Date?, lastScrapeDuration: Double,
        scrapeInterval: String, scrapeTimeout: String
    ) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.globalURL = globalURL
        self.health = health
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDuration = lastScrapeDuration
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A target relabeling dropped: what `/api/v1/targets` lists under `droppedTargets`.
public struct DroppedTarget: Sendable, Hashable {
    /// The labels it was discovered with (before relabeling).
    public var discoveredLabels: Labels
    /// The job it was discovered for.
    public var scrapePool: String

    /// Creates a description of a dropped target.
    public init(discoveredLabels: Labels, scrapePool: String) {
        self.discoveredLabels = discoveredLabels
        self.scrapePool = scrapePool
    }
}

/// Where `globalUrl` points loopback targets: Prometheus's `GlobalURLOptions`.
public struct GlobalURLOptions: Sendable, Hashable {
    /// The address llmwatch listens on (`host:port`), to recognise a target that is llmwatch itself.
    public var listenAddress: String
    /// The externally reachable `host:port`.
    public var host: String
    /// The externally reachable scheme.
    public var scheme: String

    /// Creates the options.
    public init(listenAddress: String, host: String, scheme: String) {
        self.listenAddress = listenAddress
        self.host = host
        self.scheme = scheme
    }

    /// `url` as seen from outside: a loopback host becomes `host` (and, when it is llmwatch's own
    /// port, the scheme and port become the external ones).
    public func globalURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let authority = String(afterScheme[..<authorityEnd])
        let rest = afterScheme[authorityEnd...]
        guard let (targetHost, targetPort) = Self.split(authority),
            ["127.0.0.1", "localhost", "::1"].contains(targetHost)
        else { return url }
        if let (_, ownPort) = Self.split(listenAddress), ownPort == targetPort {
            return scheme + "://" + host + rest
        }
        guard let (externalHost, _) = Self.split(host) else { return url }
        let hostPart = externalHost.contains(":") ? "[\(externalHost)]" : externalHost
        return String(url[..<schemeEnd.upperBound]) + hostPart + ":" + targetPort + rest
    }

    private static func split(_ address: String) -> (String, String)? {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            let host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            return (host, String(rest.dropFirst()))
        }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return (String(address[..<colon]), String(address[address.index(after: colon)...]))
    }
}
