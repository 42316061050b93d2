import Config
import Series

/// `alerting`: where alerts go and how they are relabeled on the way.
public struct AlertingConfig: Sendable, Hashable {
    /// `alert_relabel_configs`, applied to every alert before it is sent.
    public var alertRelabelConfigs: [RelabelConfig]
    /// `alertmanagers`.
    public var alertmanagers: [AlertmanagerConfig]

    /// No Alertmanagers.
    public init(alertRelabelConfigs: [RelabelConfig] = [], alertmanagers: [AlertmanagerConfig] = []) {
        self.alertRelabelConfigs = alertRelabelConfigs
        self.alertmanagers = alertmanagers
    }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> AlertingConfig {
        let mapping = try node.mapping()
        var config = AlertingConfig()
        config.alertRelabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("alert_relabel_configs"), nullMessage: "empty or null alert relabeling rule")
        for item in try mapping.optional("alertmanagers")?.items(nullMessage: "empty or null Alertmanager config") ?? [] {
            config.alertmanagers.append(try AlertmanagerConfig.decode(item, context: context))
        }
        try mapping.rejectUnknownKeys()
        return config
    }
}

/// One `alertmanagers` entry: how Alertmanagers are found and talked to.
public struct AlertmanagerConfig: Sendable, Hashable {
    /// The Alertmanager API version; only v2 exists since Prometheus 2.x dropped v1.
    public enum APIVersion: String, Sendable, Hashable {
        /// `/api/v2/alerts`.
        case v2
    }

    /// Auth, TLS and redirects.
    public var http: HTTPClientConfig
    /// `static_configs`.
    public var staticConfigs: [TargetGroup]
    /// `file_sd_configs`.
    public var fileSDConfigs: [FileSDConfig]
    /// `scheme`; http by default.
    public var scheme: URLScheme
    /// `path_prefix`, put before `/api/v2/alerts`.
    public var pathPrefix: String
    /// `timeout` of one push; 10s by default.
    public var timeout: PromDuration
    /// `api_version`; v2.
    public var apiVersion: APIVersion
    /// `relabel_configs`, applied to discovered Alertmanagers.
    public var relabelConfigs: [RelabelConfig]
    /// `alert_relabel_configs`, applied to alerts sent to these Alertmanagers only.
    public var alertRelabelConfigs: [RelabelConfig]

    /// Prometheus's defaults.
    public init(
        http: HTTPClientConfig = HTTPClientConfig(), staticConfigs: [TargetGroup] = [],
        fileSDConfigs: [FileSDConfig] = [], scheme: URLScheme = .http, pathPrefix: String = "",
        timeout: PromDuration = PromDuration(milliseconds: 10_000)!, apiVersion: APIVersion = .v2,
        relabelConfigs: [RelabelConfig] = [], alertRelabelConfigs: [RelabelConfig] = []
    ) {
        self.http = http
        self.staticConfigs = staticConfigs
        self.fileSDConfigs = fileSDConfigs
        self.scheme = scheme
        self.pathPrefix = pathPrefix
        self.timeout = timeout
        self.apiVersion = apiVersion
        self.relabelConfigs = relabelConfigs
        self.alertRelabelConfigs = alertRelabelConfigs
    }

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> AlertmanagerConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported([
            "sigv4": "AWS SigV4 request signing is not implemented",
        ])
        try mapping.rejectServiceDiscovery()
        var config = AlertmanagerConfig()
        config.http = try HTTPClientConfig.decode(mapping, context: context)
        config.scheme = try ScrapeConfig.decodeScheme(mapping)
        config.pathPrefix = try mapping.string("path_prefix") ?? ""
        config.timeout = try mapping.duration("timeout") ?? config.timeout
        if let versionNode = mapping.optional("api_version") {
            let version = try versionNode.string()
            guard let parsed = APIVersion(rawValue: version) else {
                let hint = version == "v1" ? " (Alertmanager's v1 API was removed; use v2)" : ""
                throw versionNode.error("expected Alertmanager api version to be one of [v2] but got \(version)\(hint)")
            }
            config.apiVersion = parsed
        }
        config.staticConfigs = try ScrapeConfig.decodeStaticConfigs(mapping)
        config.fileSDConfigs = try ScrapeConfig.decodeFileSD(mapping, context: context)
        config.relabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("relabel_configs"), nullMessage: "empty or null Alertmanager target relabeling rule")
        config.alertRelabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("alert_relabel_configs"), nullMessage: "empty or null Alertmanager alert relabeling rule")
        try mapping.rejectUnknownKeys()
        if config.relabelConfigs.isEmpty {
            try ScrapeConfig.checkStaticTargets(mapping)
        }
        return config
    }
}

extension AlertmanagerConfig {
    /// The label carrying the push path of an Alertmanager.
    public static let alertsPathLabel = "__alerts_path__"

    /// The push path: `path_prefix` joined with `/api/v2/alerts`.
    public var alertsPath: String {
        ConfigPaths.clean("/" + pathPrefix + "/api/v2/alerts")
    }

    /// The Alertmanagers of one group, built as Prometheus's `AlertmanagerFromGroup`: labels
    /// `__address__`, `__scheme__` and `__alerts_path__`, then `relabel_configs`.
    public func buildTargets(_ group: TargetGroup) -> [TargetBuildResult] {
        group.targets.map { address in
            var builder = LabelBuilder(.empty)
            builder.set(TargetLabel.address, address)
            builder.set(TargetLabel.scheme, scheme.rawValue)
            builder.set(Self.alertsPathLabel, alertsPath)
            for label in group.labels where label.name != TargetLabel.address {
                builder.set(label.name, label.value)
            }
            let preRelabel = builder.labels
            guard let relabeled = Relabeling.process(preRelabel, relabelConfigs) else {
                return .dropped(discoveredLabels: preRelabel)
            }
            let target = relabeled[TargetLabel.address]
            if target.contains("/") { return .failed("\(Labels.quote(target)) is not a valid hostname") }
            return .active(labels: relabeled, discoveredLabels: preRelabel)
        }
    }

    /// The URL alerts are pushed to for an Alertmanager with these labels.
    public func alertsURL(labels: Labels) -> String {
        URLText.build(
            scheme: labels[TargetLabel.scheme], host: labels[TargetLabel.address],
            path: labels[Self.alertsPathLabel], query: [:])
    }
}
