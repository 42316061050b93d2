import Config

/// An SLO file in either format llmwatch reads: a Sloth `prometheus/v1` spec or the seed's
/// `slo-config.yaml` (`service_level_objectives`).
public struct SLOSpecFile: Sendable {
    /// The SLOs.
    public var service: SLOService
    /// The agreements (`service_level_agreements`), empty for a Sloth spec.
    public var agreements: [ServiceLevelAgreement]
    /// Problems that did not stop the load.
    public var warnings: [String]

    /// Reads `path`, telling the format by its keys.
    public static func load(
        path: String, defaultPeriod: Int64 = 30 * 86_400_000, service: String = "llmwatch"
    ) throws(ConfigError) -> SLOSpecFile {
        try parse(try ConfigLoader.load(path: path), defaultPeriod: defaultPeriod, service: service)
    }

    /// Reads the document in `root`.
    public static func parse(
        _ root: ConfigNode, defaultPeriod: Int64 = 30 * 86_400_000, service: String = "llmwatch"
    ) throws(ConfigError) -> SLOSpecFile {
        if SlothSpecLoader.recognizes(root) {
            return SLOSpecFile(
                service: try SlothSpecLoader.load(root, defaultPeriod: defaultPeriod), agreements: [], warnings: [])
        }
        if SLOConfigLoader.recognizes(root) {
            let loaded = try SLOConfigLoader.load(root, service: service)
            return SLOSpecFile(
                service: loaded.service, agreements: loaded.agreements, warnings: loaded.warnings.map(\.description))
        }
        throw root.error(
            "not an SLO spec: expected a Sloth spec (version: prometheus/v1) or an slo-config (service_level_objectives)")
    }
}
