import Config
import Series

extension ScrapeConfig {
    /// Fields of Prometheus's scrape config that llmwatch does not implement.
    static let unsupported: [String: String] = [
        "native_histogram_bucket_limit": "native histograms are not implemented",
        "native_histogram_min_bucket_factor": "native histograms are not implemented",
        "scrape_native_histograms": "native histograms are not implemented",
        "scrape_classic_histograms": "native histograms are not implemented, so classic ones are always scraped",
        "always_scrape_classic_histograms": "native histograms are not implemented, so classic ones are always scraped",
        "convert_classic_histograms_to_nhcb": "native histograms are not implemented",
        "scrape_failure_log_file": "llmwatch does not write a scrape failure log; failures are logged and shown per target",
        "extra_scrape_metrics": "the extra scrape_* report series are not written",
        "metric_name_escaping_scheme": "only legacy metric names are read; there is nothing to escape",
    ]

    /// Reads one `scrape_configs` entry, filling what it leaves out from `global` and validating
    /// it as Prometheus's `ScrapeConfig.UnmarshalYAML` and `Validate` do.
    static func decode(_ node: ConfigNode, global: GlobalConfig, context: DecodeContext) throws(ConfigError)
        -> ScrapeConfig
    {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported(unsupported)
        try mapping.rejectServiceDiscovery()
        let jobNode = try mapping.required("job_name")
        let jobName = try jobNode.string()
        if jobName.isEmpty { throw jobNode.error("job_name is empty") }
        var config = ScrapeConfig(jobName: jobName)
        let zero = PromDuration(milliseconds: 0)!
        let interval = try mapping.duration("scrape_interval") ?? zero
        config.scrapeInterval = interval == zero ? global.scrapeInterval : interval
        let timeout = try mapping.duration("scrape_timeout") ?? zero
        if timeout > config.scrapeInterval {
            throw mapping.position("scrape_timeout").error(
                "scrape timeout greater than scrape interval for scrape config with job name \(Labels.quote(jobName)) "
                    + "(\(timeout) > \(config.scrapeInterval))")
        }
        config.scrapeTimeout = timeout == zero ? min(global.scrapeTimeout, config.scrapeInterval) : timeout
        config.metricsPath = try mapping.string("metrics_path") ?? config.metricsPath
        config.scheme = try decodeScheme(mapping)
        config.params = try decodeParams(mapping)
        config.honorLabels = try mapping.bool("honor_labels", default: false)
        config.honorTimestamps = try mapping.bool("honor_timestamps", default: true)
        config.trackTimestampsStaleness = try mapping.bool("track_timestamps_staleness", default: false)
        config.enableCompression = try mapping.bool("enable_compression", default: true)
        config.scrapeProtocols =
            try decodeProtocols(mapping, context: "scrape config with job name \(Labels.quote(jobName))")
            ?? global.scrapeProtocols
        if let fallbackNode = mapping.optional("fallback_scrape_protocol") {
            config.fallbackScrapeProtocol = try decodeProtocol(fallbackNode)
        }
        config.limits = try ScrapeLimits.decode(mapping).inheriting(global.limits)
        try NameValidation.check(mapping)
        config.http = try HTTPClientConfig.decode(mapping, context: context)
        config.staticConfigs = try decodeStaticConfigs(mapping)
        config.fileSDConfigs = try decodeFileSD(mapping, context: context)
        config.relabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("relabel_configs"), nullMessage: "empty or null target relabeling rule in scrape config")
        config.metricRelabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("metric_relabel_configs"),
            nullMessage: "empty or null metric relabeling rule in scrape config")
        try mapping.rejectUnknownKeys()
        if config.relabelConfigs.isEmpty {
            try checkStaticTargets(mapping)
        }
        return config
    }

    static func decodeScheme(_ mapping: ConfigMapping) throws(ConfigError) -> URLScheme {
        guard let node = mapping.optional("scheme") else { return .http }
        let text = try node.string()
        guard let scheme = URLScheme(rawValue: text) else {
            throw node.error("scheme \(Labels.quote(text)) is not supported; use http or https")
        }
        return scheme
    }

    private static func decodeParams(_ mapping: ConfigMapping) throws(ConfigError) -> [QueryParameter] {
        guard let node = mapping.optional("params") else { return [] }
        var params: [QueryParameter] = []
        for entry in try node.mapping().entries {
            params.append(QueryParameter(name: entry.key, values: try entry.value.stringList()))
        }
        return params
    }

    /// `scrape_protocols` of `mapping`, validated as Prometheus's `validateAcceptScrapeProtocols`.
    static func decodeProtocols(_ mapping: ConfigMapping, context: String) throws(ConfigError) -> [ScrapeProtocol]? {
        guard let node = mapping.optional("scrape_protocols") else { return nil }
        let items = try node.sequence()
        if items.isEmpty { throw node.error("scrape_protocols cannot be empty for \(context)") }
        var names: [String] = []
        for item in items { names.append(try item.string()) }
        var protocols: [ScrapeProtocol] = []
        for item in items {
            let parsed = try decodeProtocol(item)
            if protocols.contains(parsed) {
                throw item.error(
                    "duplicated protocol in scrape_protocols, got [\(names.joined(separator: " "))] for \(context)")
            }
            protocols.append(parsed)
        }
        return protocols
    }

    private static func decodeProtocol(_ node: ConfigNode) throws(ConfigError) -> ScrapeProtocol {
        let name = try node.string()
        if let parsed = ScrapeProtocol(rawValue: name) { return parsed }
        if let reason = ScrapeProtocol.unsupported[name] {
            throw node.error("scrape protocol \(name) is not supported by llmwatch: \(reason)")
        }
        throw node.error(
            "unknown scrape protocol \(name), supported: [\(ScrapeProtocol.prometheusNames.joined(separator: " "))]")
    }

    static func decodeStaticConfigs(_ mapping: ConfigMapping) throws(ConfigError) -> [TargetGroup] {
        var groups: [TargetGroup] = []
        for (index, item) in try (mapping.optional("static_configs")?.sequence() ?? []).enumerated() where !item.isNull {
            groups.append(try TargetGroup.decode(item, source: String(index)))
        }
        return groups
    }

    static func decodeFileSD(_ mapping: ConfigMapping, context: DecodeContext) throws(ConfigError) -> [FileSDConfig] {
        var configs: [FileSDConfig] = []
        for item in try mapping.optional("file_sd_configs")?.sequence() ?? [] where !item.isNull {
            configs.append(try FileSDConfig.decode(item, context: context))
        }
        return configs
    }

    /// Prometheus's `checkStaticTargets`: an address with a `/` is a URL pasted where `host:port`
    /// belongs (only checked when no relabeling could rewrite it).
    static func checkStaticTargets(_ mapping: ConfigMapping) throws(ConfigError) {
        for group in try mapping.optional("static_configs")?.sequence() ?? [] where !group.isNull {
            for target in try group.mapping().optional("targets")?.sequence() ?? [] where !target.isNull {
                let address = try target.string()
                if address.contains("/") {
                    throw target.error(
                        "\(Labels.quote(address)) is not a valid hostname: write host:port, and set scheme and "
                            + "metrics_path for the rest of the URL")
                }
            }
        }
    }
}
