import Config
import Foundation

/// Reads a ``ProbeConfig`` from YAML, rejecting anything it does not understand with the file,
/// line and column of the offending node and a hint on how to fix it.
public struct ProbeConfigLoader: Sendable {
    /// Where `${VAR}` substitutions and default key variables are looked up.
    public var environment: [String: String]

    /// A loader reading the given environment (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads and validates a file.
    public func load(path: String) throws -> ProbeConfig {
        let root = try ConfigLoader.load(path: path)
        return try decode(root, source: path)
    }

    /// Loads and validates YAML text; `file` names it in errors.
    public func parse(_ yaml: String, file: String) throws -> ProbeConfig {
        try decode(try ConfigLoader.parse(yaml, file: file), source: file)
    }

    private func decode(_ root: ConfigNode, source: String) throws -> ProbeConfig {
        let document = try root.mapping()
        if document.optional("monitoring") != nil {
            return try MonitoringDocument(loader: self).decode(document, source: source)
        }
        try document.rejectUnknownKeys(allowed: ["global", "models"])
        var config = ProbeConfig(models: [], source: source)
        var defaults = ModelDefaults()
        if let global = document.optional("global") {
            let mapping = try global.mapping()
            try mapping.rejectUnknownKeys(allowed: ["schedule", "timeout", "latency_buckets", "token_latency_buckets"])
            if let node = mapping.optional("schedule") { defaults.schedule = try schedule(node) }
            if let node = mapping.optional("timeout") { defaults.timeout = try timeout(node) }
            if let node = mapping.optional("latency_buckets") { config.latencyBuckets = try buckets(node) }
            if let node = mapping.optional("token_latency_buckets") { config.tokenLatencyBuckets = try buckets(node) }
        }
        let modelNodes = try document.required("models").sequence()
        if modelNodes.isEmpty { throw root.error("models: the list is empty; add at least one model to probe") }
        for node in modelNodes {
            config.models.append(try model(node, defaults: defaults))
        }
        try validate(config, nodes: modelNodes)
        return config
    }

    /// Values a model inherits when it does not set them.
    struct ModelDefaults {
        var schedule: (Schedule, String) = (try! Schedule.parse("1m"), "1m")
        var timeout: Duration = .seconds(60)
        var operation = "probe"
        /// Set by the `monitoring:` shape, whose schedules apply to every model.
        var checks: [ScheduledCheck]?
    }

    static let modelKeys = [
        "name", "provider", "model", "endpoint", "api_key", "api_key_file", "headers", "schedule", "operation", "priority",
        "timeout", "prompts", "pricing", "sla_target", "fallbacks", "api_version", "include_usage", "model_version",
        "simulation", "prediction", "proxy_url", "proxy_from_environment",
    ]

    func model(_ node: ConfigNode, defaults: ModelDefaults) throws -> ModelConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: Self.modelKeys)
        let providerNode = try mapping.required("provider")
        let providerName = try providerNode.string()
        guard let provider = ProviderKind.named(providerName) else {
            let names = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw providerNode.error("unknown provider \"\(providerName)\"; use one of: \(names)")
        }
        let modelID = try mapping.optional("model")?.string() ?? (provider == .prediction || provider == .simulated ? "" : nil)
        guard let modelID else {
            throw node.error("model: missing; give the provider's model id, e.g. model: gpt-4o-mini")
        }
        let name = try mapping.optional("name")?.string() ?? (modelID.isEmpty ? provider.rawValue : modelID)
        let endpoint = try mapping.optional("endpoint")?.string(expandingEnvironment: environment) ?? provider.defaultEndpoint
        if endpoint == nil, provider != .simulated {
            throw node.error("endpoint: missing; a \(provider.rawValue) model needs the base URL of its API, e.g. http://127.0.0.1:8000/v1")
        }
        if let endpoint, let endpointNode = mapping.optional("endpoint") {
            guard let url = URL(string: endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw endpointNode.error("endpoint \"\(endpoint)\" is not an http(s) URL")
            }
        }
        let (schedule, scheduleText) = try mapping.optional("schedule").map(schedule) ?? defaults.schedule
        let modelTimeout = try mapping.optional("timeout").map(timeout) ?? defaults.timeout
        let check = ScheduledCheck(
            operation: try mapping.optional("operation")?.string() ?? defaults.operation,
            schedule: schedule, scheduleText: scheduleText, timeout: modelTimeout)
        var config = ModelConfig(
            name: name, provider: provider, model: modelID, endpoint: endpoint,
            apiKey: try apiKey(mapping, provider: provider, node: node),
            headers: try mapping.optional("headers")?.stringMap(expandingEnvironment: environment) ?? [:],
            checks: defaults.checks ?? [check], timeout: modelTimeout,
            priority: try mapping.optional("priority")?.string() ?? "",
            prompts: [], pricing: try mapping.optional("pricing").map(pricing),
            slaTarget: try mapping.optional("sla_target")?.double(),
            fallbacks: try mapping.optional("fallbacks")?.sequence().map { try $0.string() } ?? [],
            apiVersion: try mapping.optional("api_version")?.string(),
            includeUsage: try mapping.optional("include_usage")?.bool() ?? true,
            modelVersion: try mapping.optional("model_version")?.string() ?? "unknown",
            simulation: try mapping.optional("simulation").map(simulation) ?? SimulationSettings(),
            prediction: try mapping.optional("prediction").map(prediction)
        )
        config.proxy = try proxy(mapping, endpoint: endpoint)
        if provider == .prediction, config.prediction == nil {
            throw node.error("prediction: missing; a prediction model needs `prediction: {field: <path to the answer>}`")
        }
        if provider == .azureOpenAI, config.apiVersion == nil {
            throw node.error("api_version: missing; Azure OpenAI needs it, e.g. api_version: \"2024-10-21\"")
        }
        if let slaNode = mapping.optional("sla_target"), let sla = config.slaTarget, sla <= 0 {
            throw slaNode.error("sla_target must be a positive number of seconds")
        }
        config.prompts = try mapping.optional("prompts")?.sequence().enumerated().map { index, node in
            try prompt(node, index: index, provider: provider)
        } ?? [Self.defaultPrompt(for: provider)]
        if config.prompts.isEmpty { config.prompts = [Self.defaultPrompt(for: provider)] }
        return config
    }

    /// The model's proxy, as Prometheus's `http_config` names it: `proxy_url`, or with
    /// `proxy_from_environment: true` the `HTTPS_PROXY` or `HTTP_PROXY` variable (by the
    /// endpoint's scheme; lowercase names too) unless `NO_PROXY` covers the endpoint
    /// (``NoProxyList``).
    private func proxy(_ mapping: ConfigMapping, endpoint: String?) throws -> ProxyServer? {
        let urlNode = mapping.optional("proxy_url")
        let environmentNode = mapping.optional("proxy_from_environment")
        if let urlNode, environmentNode != nil {
            throw urlNode.error("proxy_url and proxy_from_environment are both set; keep one")
        }
        if let urlNode {
            guard let server = Self.proxyServer(try urlNode.string(expandingEnvironment: environment)) else {
                throw urlNode.error(Self.proxyURLForm("proxy_url"))
            }
            return server
        }
        guard let environmentNode, try environmentNode.bool(), let endpoint, let url = URLComponents(string: endpoint),
            let host = url.host
        else { return nil }
        let names = url.scheme == "https" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"]
        guard let (name, value) = firstSet(names) else { return nil }
        let noProxy = NoProxyList(firstSet(["NO_PROXY", "no_proxy"])?.value ?? "")
        if noProxy.covers(host: host, port: url.port ?? HTTPEndpoint.defaultPort(isTLS: url.scheme == "https")) { return nil }
        guard let server = Self.proxyServer(value) else {
            throw environmentNode.error(Self.proxyURLForm(name))
        }
        return server
    }

    /// The first of the environment variables `names` that is set and not empty, with its value.
    private func firstSet(_ names: [String]) -> (name: String, value: String)? {
        names.lazy.compactMap { name in self.environment[name].flatMap { $0.isEmpty ? nil : (name, $0) } }.first
    }

    /// What a proxy URL that cannot be used is told to be, for the setting `name`.
    static func proxyURLForm(_ name: String) -> String {
        "\(name) is not a proxy URL the probe can use; write http://[user:password@]host:port, or socks5://host:port (SOCKS5 without a user and password)"
    }

    /// An `http://[user:password@]host[:port]` or `socks5://host[:port]` (also `socks5h`) URL as
    /// a proxy; nil for anything else: `https` proxies and SOCKS5 with credentials are not
    /// supported. A URL without a scheme is read as `http`, as curl and Go read `HTTP_PROXY`.
    static func proxyServer(_ text: String) -> ProxyServer? {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let url = URLComponents(string: withScheme), var host = url.host, !host.isEmpty,
            url.path.isEmpty || url.path == "/"
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        switch url.scheme?.lowercased() {
        case "http":
            return ProxyServer(.http, host: host, port: url.port ?? 80, user: url.user, password: url.password.map(Secret.init))
        case "socks5", "socks5h":
            guard url.user == nil, url.password == nil else { return nil }
            return ProxyServer(.socks5, host: host, port: url.port ?? 1080)
        default:
            return nil
        }
    }

    /// The prompt used when a model lists none: cheap, deterministic and checkable.
    static func defaultPrompt(for provider: ProviderKind) -> PromptConfig {
        if provider == .prediction {
            return PromptConfig(name: "default", system: nil, text: "{}", maxTokens: 0, expect: nil)
        }
        return PromptConfig(
            name: "arithmetic", system: nil, text: "What is 17 + 25? Answer with the number only.",
            maxTokens: 16, expect: .contains("42", caseSensitive: true))
    }

    private func apiKey(_ mapping: ConfigMapping, provider: ProviderKind, node: ConfigNode) throws -> Secret? {
        if let keyNode = mapping.optional("api_key") {
            if mapping.optional("api_key_file") != nil {
                throw keyNode.error("api_key and api_key_file are both set; keep one")
            }
            let value = try keyNode.string(expandingEnvironment: environment)
            return value.isEmpty ? nil : Secret(value)
        }
        if let fileNode = mapping.optional("api_key_file") {
            let path = try fileNode.string(expandingEnvironment: environment)
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw fileNode.error("api_key_file \"\(path)\" cannot be read; check the path and its permissions")
            }
            let key = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if key.isEmpty { throw fileNode.error("api_key_file \"\(path)\" is empty") }
            return Secret(key)
        }
        if let variable = provider.defaultKeyVariable {
            if let value = environment[variable], !value.isEmpty { return Secret(value) }
            if provider.requiresKey {
                throw node.error(
                    "no API key for this \(provider.rawValue) model; set \(variable) in the environment, "
                        + "or add api_key: ${VAR} or api_key_file: /path")
            }
        }
        return nil
    }

    private func prompt(_ node: ConfigNode, index: Int, provider: ProviderKind) throws -> PromptConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: ["name", "system", "prompt", "input", "max_tokens", "expect"])
        let text: String
        if let input = mapping.optional("input") {
            text = String(decoding: WireJSON.encodeFragment(try Self.jsonValue(input)), as: UTF8.self)
        } else {
            text = try mapping.required("prompt").string()
        }
        return PromptConfig(
            name: try mapping.optional("name")?.string() ?? "prompt\(index + 1)",
            system: try mapping.optional("system")?.string(),
            text: text,
            maxTokens: try mapping.optional("max_tokens")?.int() ?? 64,
            expect: try mapping.optional("expect").map(expectation))
    }

    /// A YAML node as a JSON value: numbers and booleans where the scalar reads as one.
    static func jsonValue(_ node: ConfigNode) throws -> Any {
        switch node.kind {
        case .null: return NSNull()
        case .sequence: return try node.sequence().map(jsonValue)
        case .mapping:
            var object: [String: Any] = [:]
            for entry in try node.mapping().entries { object[entry.key] = try jsonValue(entry.value) }
            return object
        case .scalar:
            let text = try node.string()
            if let int = Int(text) { return int }
            if let double = Double(text), text.contains(".") { return double }
            if text == "true" || text == "false" { return text == "true" }
            return text
        }
    }

    private func expectation(_ node: ConfigNode) throws -> AnswerExpectation {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: ["exact", "contains", "regex", "json_field", "equals", "case_sensitive"])
        let caseSensitive = try mapping.optional("case_sensitive")?.bool() ?? false
        if let exact = mapping.optional("exact") { return .exact(try exact.string(), caseSensitive: caseSensitive) }
        if let contains = mapping.optional("contains") { return .contains(try contains.string(), caseSensitive: caseSensitive) }
        if let regexNode = mapping.optional("regex") {
            let pattern = try regexNode.string()
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                throw regexNode.error("regex \"\(pattern)\" does not compile")
            }
            return .regex(pattern)
        }
        if let field = mapping.optional("json_field") {
            return .jsonField(path: try field.string(), equals: try mapping.required("equals").string())
        }
        throw node.error("expect: give one of exact, contains, regex, or json_field with equals")
    }

    private func pricing(_ node: ConfigNode) throws -> Pricing {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: ["input_per_million", "output_per_million", "input_per_1k", "output_per_1k"])
        let input = try mapping.optional("input_per_million")?.double() ?? mapping.optional("input_per_1k").map { try $0.double() * 1000 }
        let output = try mapping.optional("output_per_million")?.double() ?? mapping.optional("output_per_1k").map { try $0.double() * 1000 }
        guard let input, let output else {
            throw node.error("pricing needs input_per_million and output_per_million (USD), e.g. {input_per_million: 0.15, output_per_million: 0.6}")
        }
        return Pricing(inputPerMillion: input, outputPerMillion: output)
    }

    private func simulation(_ node: ConfigNode) throws -> SimulationSettings {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: [
            "time_to_first_token", "time_per_token", "jitter", "output_tokens", "error_ratio", "rate_limit_ratio",
            "accuracy", "latency_drift_per_hour", "accuracy_drift_per_hour", "outage_every", "outage_duration",
            "outage_offset",
        ])
        var settings = SimulationSettings()
        if let n = mapping.optional("time_to_first_token") { settings.timeToFirstToken = try n.duration() }
        if let n = mapping.optional("time_per_token") { settings.timePerToken = try n.duration() }
        if let n = mapping.optional("jitter") { settings.jitter = try n.double() }
        if let n = mapping.optional("output_tokens") { settings.outputTokens = try n.int() }
        if let n = mapping.optional("error_ratio") { settings.errorRatio = try ratio(n) }
        if let n = mapping.optional("rate_limit_ratio") { settings.rateLimitRatio = try ratio(n) }
        if let n = mapping.optional("accuracy") { settings.accuracy = try ratio(n) }
        if let n = mapping.optional("latency_drift_per_hour") { settings.latencyDriftPerHour = try n.double() }
        if let n = mapping.optional("accuracy_drift_per_hour") { settings.accuracyDriftPerHour = try n.double() }
        if let n = mapping.optional("outage_every") { settings.outageEvery = try n.duration() }
        if let n = mapping.optional("outage_duration") { settings.outageDuration = try n.duration() }
        if let n = mapping.optional("outage_offset") { settings.outageOffset = try n.duration() }
        if let every = settings.outageEvery, settings.outageOffset + settings.outageDuration > every {
            throw node.error("outage_offset + outage_duration must fit in outage_every")
        }
        return settings
    }

    private func prediction(_ node: ConfigNode) throws -> PredictionSettings {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(allowed: ["field", "confidence_field"])
        return PredictionSettings(
            predictionField: try mapping.required("field").string(),
            confidenceField: try mapping.optional("confidence_field")?.string())
    }

    private func ratio(_ node: ConfigNode) throws -> Double {
        let value = try node.double()
        guard (0...1).contains(value) else { throw node.error("expected a ratio between 0 and 1, got \(value)") }
        return value
    }

    func schedule(_ node: ConfigNode) throws -> (Schedule, String) {
        let text = try node.string()
        do {
            return (try Schedule.parse(text), text)
        } catch {
            throw node.error("\(error)")
        }
    }

    func timeout(_ node: ConfigNode) throws -> Duration {
        let duration = try node.duration()
        guard duration > .zero else { throw node.error("timeout must be longer than 0s") }
        return duration
    }

    private func buckets(_ node: ConfigNode) throws -> [Double] {
        let values = try node.sequence().map { try $0.double() }
        guard !values.isEmpty, zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw node.error("buckets must be a non-empty list of increasing numbers of seconds")
        }
        return values
    }

    func validate(_ config: ProbeConfig, nodes: [ConfigNode]) throws {
        var seen: [String: Int] = [:]
        for (index, model) in config.models.enumerated() {
            if let first = seen[model.name] {
                throw nodes[index].error(
                    "model name \"\(model.name)\" is already used by model \(first + 1); give each model a unique name:")
            }
            seen[model.name] = index
        }
        for (index, model) in config.models.enumerated() {
            for fallback in model.fallbacks where seen[fallback] == nil || fallback == model.name {
                throw nodes[index].error("fallback \"\(fallback)\" is not another model in this file")
            }
        }
    }
}
