import Config
import Foundation
import Series

/// What became of one discovered target of a scrape config.
public enum TargetBuildResult: Sendable, Hashable {
    /// A target to scrape: `labels` are all its labels after relabeling (the `__`-prefixed ones
    /// included, which say how to scrape it); `discoveredLabels` are those before relabeling.
    case active(labels: Labels, discoveredLabels: Labels)
    /// Relabeling dropped it; the API lists it with the labels it was discovered with.
    case dropped(discoveredLabels: Labels)
    /// It cannot be scraped (no address, an invalid interval label, ...); the reason, in
    /// Prometheus's words.
    case failed(String)
}

/// The labels every target carries, as Prometheus names them.
public enum TargetLabel {
    /// `__address__`: `host:port` to scrape.
    public static let address = "__address__"
    /// `__scheme__`: `http` or `https`.
    public static let scheme = "__scheme__"
    /// `__metrics_path__`.
    public static let metricsPath = "__metrics_path__"
    /// `__scrape_interval__`.
    public static let scrapeInterval = "__scrape_interval__"
    /// `__scrape_timeout__`.
    public static let scrapeTimeout = "__scrape_timeout__"
    /// `__param_<name>`: a query parameter.
    public static let paramPrefix = "__param_"
    /// `__meta_`: discovery metadata, removed after relabeling.
    public static let metaPrefix = "__meta_"
    /// `job`.
    public static let job = "job"
    /// `instance`: `__address__` unless relabeling set it.
    public static let instance = "instance"
}

extension ScrapeConfig {
    /// The targets of one group, built as Prometheus's `TargetsFromGroup` builds them.
    public func buildTargets(_ group: TargetGroup) -> [TargetBuildResult] {
        group.targets.map { address in
            var labels = group.labels
            labels = labels.setting(TargetLabel.address, to: address)
            return buildTarget(labels)
        }
    }

    /// One target from its discovered labels, as Prometheus's `PopulateLabels`: the scrape
    /// config's labels are added where missing, `params` become `__param_<name>`, relabeling
    /// runs, a default port is added to a bare host, intervals are checked, `__meta_*` labels
    /// go, and `instance` defaults to the address.
    public func buildTarget(_ discovered: Labels) -> TargetBuildResult {
        var builder = LabelBuilder(discovered)
        let defaults = [
            (TargetLabel.job, jobName), (TargetLabel.scrapeInterval, scrapeInterval.description),
            (TargetLabel.scrapeTimeout, scrapeTimeout.description), (TargetLabel.metricsPath, metricsPath),
            (TargetLabel.scheme, scheme.rawValue),
        ]
        for (name, value) in defaults where discovered[name].isEmpty {
            builder.set(name, value)
        }
        for parameter in params {
            if let first = parameter.values.first { builder.set(TargetLabel.paramPrefix + parameter.name, first) }
        }
        let preRelabel = builder.labels
        guard let relabeled = Relabeling.process(preRelabel, relabelConfigs) else {
            return .dropped(discoveredLabels: preRelabel)
        }
        var address = relabeled[TargetLabel.address]
        if address.isEmpty { return .failed("no address") }
        var result = LabelBuilder(relabeled)
        if HostPort.split(address) == nil, HostPort.split(address + ":1234") != nil {
            switch relabeled[TargetLabel.scheme] {
            case "http", "": address += ":80"
            case "https": address += ":443"
            default: return .failed("invalid scheme: \(Labels.quote(scheme.rawValue))")
            }
            result.set(TargetLabel.address, address)
        }
        if address.contains("/") { return .failed("\(Labels.quote(address)) is not a valid hostname") }
        let intervalText = relabeled[TargetLabel.scrapeInterval]
        let timeoutText = relabeled[TargetLabel.scrapeTimeout]
        let interval: PromDuration
        let timeout: PromDuration
        do {
            interval = try PromDuration.parse(intervalText)
        } catch {
            return .failed("error parsing scrape interval: not a valid duration string: \(Labels.quote(intervalText))")
        }
        if interval.milliseconds == 0 { return .failed("scrape interval cannot be 0") }
        do {
            timeout = try PromDuration.parse(timeoutText)
        } catch {
            return .failed("error parsing scrape timeout: not a valid duration string: \(Labels.quote(timeoutText))")
        }
        if timeout.milliseconds == 0 { return .failed("scrape timeout cannot be 0") }
        if timeout > interval {
            return .failed(
                "scrape timeout cannot be greater than scrape interval (\(Labels.quote(timeoutText)) > "
                    + "\(Labels.quote(intervalText)))")
        }
        for label in relabeled where label.name.hasPrefix(TargetLabel.metaPrefix) {
            result.delete(label.name)
        }
        if relabeled[TargetLabel.instance].isEmpty {
            result.set(TargetLabel.instance, address)
        }
        return .active(labels: result.labels, discoveredLabels: preRelabel)
    }

    /// The URL a target with these labels is scraped at: `__scheme__://__address____metrics_path__`
    /// with `params` as the query, each `__param_<name>` label replacing the first value of
    /// `<name>` (Prometheus's `Target.URL`).
    public func scrapeURL(targetLabels labels: Labels) -> String {
        var query: [String: [String]] = [:]
        for parameter in params { query[parameter.name] = parameter.values }
        for label in labels where label.name.hasPrefix(TargetLabel.paramPrefix) {
            let name = String(label.name.dropFirst(TargetLabel.paramPrefix.count))
            if var values = query[name], !values.isEmpty {
                values[0] = label.value
                query[name] = values
            } else {
                query[name] = [label.value]
            }
        }
        return URLText.build(
            scheme: labels[TargetLabel.scheme], host: labels[TargetLabel.address],
            path: labels[TargetLabel.metricsPath], query: query)
    }
}

/// Go's `net.SplitHostPort`, enough to tell whether an address has a port.
enum HostPort {
    static func split(_ address: String) -> (host: String, port: String)? {
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return nil }
            let after = address[address.index(after: close)...]
            guard after.first == ":" else { return nil }
            let port = after.dropFirst()
            guard !port.contains(":") else { return nil }
            return (String(address[address.index(after: address.startIndex)..<close]), String(port))
        }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        let host = address[..<colon]
        if host.contains(":") || host.contains("[") || host.contains("]") { return nil }
        return (String(host), String(address[address.index(after: colon)...]))
    }
}

/// URLs written the way Go's `net/url` writes them.
public enum URLText {
    /// `scheme://host/path?query` with the path escaped as `URL.EscapedPath` and the query
    /// encoded as `url.Values.Encode` (keys sorted).
    public static func build(scheme: String, host: String, path: String, query: [String: [String]]) -> String {
        var text = scheme + "://" + host
        if !path.isEmpty, !path.hasPrefix("/") { text += "/" }
        text += escape(path, keep: "-_.~$&+,/:;=@")
        let encoded = encodeQuery(query)
        if !encoded.isEmpty { text += "?" + encoded }
        return text
    }

    /// `url.Values.Encode`: `k=v` pairs sorted by key, `&`-joined, each side query-escaped.
    public static func encodeQuery(_ query: [String: [String]]) -> String {
        var parts: [String] = []
        for key in query.keys.sorted() {
            for value in query[key] ?? [] {
                parts.append(goQueryEscape(key) + "=" + goQueryEscape(value))
            }
        }
        return parts.joined(separator: "&")
    }

    private static func escape(_ text: String, keep: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, (scalar.properties.isAlphabetic && byte.isASCIILetter) || (48...57).contains(byte)
                || keep.unicodeScalars.contains(scalar)
            {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool { (65...90).contains(self) || (97...122).contains(self) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
