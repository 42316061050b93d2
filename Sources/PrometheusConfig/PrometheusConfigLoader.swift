import Config
import Foundation
import Series

/// Loads a `prometheus.yml`, so that a user's existing Prometheus configuration runs in
/// llmwatch unchanged, or is refused with the position of what llmwatch cannot do.
///
/// Every field Prometheus 2.x and 3.x accept is either implemented or refused by name with the
/// reason (`remote_read`, `kubernetes_sd_configs`, `oauth2`, ...); a misspelt field gets a
/// did-you-mean. Errors are `ConfigError`s: `prometheus.yml:12:5: message`.
public struct PrometheusConfigLoader: Sendable {
    /// What `${VAR}` in `external_labels` values expands from.
    public var environment: [String: String]

    /// A loader reading the given environment (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Top-level sections Prometheus has and llmwatch refuses, with the reason.
    static let unsupportedSections: [String: String] = [
        "remote_read": "llmwatch answers queries from its own store only",
        "storage": "storage is configured with --storage.path and --storage.retention.time",
        "tracing": "llmwatch does not export traces",
        "otlp": "llmwatch does not receive OTLP",
        "runtime": "there is no Go runtime to tune",
        "scrape_config_files": "write the scrape configs into this file",
    ]

    /// Reads and validates the file at `path`; relative paths in it resolve against its directory.
    public func load(path: String) throws(ConfigError) -> PrometheusConfiguration {
        let root = try ConfigLoader.load(path: path, environment: environment)
        return try decode(root, directory: ConfigPaths.directory(of: path))
    }

    /// Reads and validates YAML text; `file` names it in errors, `directory` is where relative
    /// paths start.
    public func parse(_ yaml: String, file: String, directory: String = ".") throws(ConfigError)
        -> PrometheusConfiguration
    {
        try decode(ConfigLoader.parse(yaml, file: file, environment: environment), directory: directory)
    }

    private func decode(_ root: ConfigNode, directory: String) throws(ConfigError) -> PrometheusConfiguration {
        let context = DecodeContext(directory: directory, environment: environment)
        let document = try root.mapping()
        try document.rejectUnsupported(Self.unsupportedSections)
        var config = PrometheusConfiguration(file: root.file)
        if let node = document.optional("global") {
            config.global = try GlobalConfig.decode(node, context: context)
        }
        for item in try document.optional("rule_files")?.sequence() ?? [] {
            let pattern = try item.string()
            guard Self.isValidRulePath(pattern) else {
                throw item.error(
                    "invalid rule file path \(Labels.quote(pattern)): a * may only appear in the last path element")
            }
            config.ruleFiles.append(RuleFilePattern(written: pattern, resolved: context.resolve(pattern)))
        }
        var jobLines: [String: Int] = [:]
        for item in try document.optional("scrape_configs")?.items(nullMessage: "empty or null scrape config section")
            ?? []
        {
            let scrape = try ScrapeConfig.decode(item, global: config.global, context: context)
            if let line = jobLines[scrape.jobName] {
                throw (try item.mapping().position("job_name")).error(
                    "found multiple scrape configs with job name \(Labels.quote(scrape.jobName)) (first at line \(line))")
            }
            jobLines[scrape.jobName] = item.line
            config.scrapeConfigs.append(scrape)
        }
        if let node = document.optional("alerting") {
            config.alerting = try AlertingConfig.decode(node, context: context)
        }
        var writeNames: Set<String> = []
        for item in try document.optional("remote_write")?.items(nullMessage: "empty or null remote write config section")
            ?? []
        {
            let write = try RemoteWriteConfig.decode(item, context: context)
            if !write.name.isEmpty, !writeNames.insert(write.name).inserted {
                throw (try item.mapping().position("name")).error(
                    "found multiple remote write configs with job name \(Labels.quote(write.name))")
            }
            config.remoteWrite.append(write)
        }
        try document.rejectUnknownKeys()
        return config
    }

    /// Prometheus's `^[^*]*(\*[^/]*)?$` for rule file paths.
    static func isValidRulePath(_ path: String) -> Bool {
        guard let star = path.firstIndex(of: "*") else { return true }
        return !path[star...].contains("/")
    }
}
