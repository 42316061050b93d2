import Exposition
import Logging
import NIOCore
import Probe
import Testing

/// One probe run the way `llmwatch probe` runs it: the configuration parsed from YAML by
/// ``ProbeConfigLoader``, a ``Prober`` calling over a real ``ProbeHTTPClient``, and the results
/// recorded into a fresh ``MetricRegistry`` the test can read back.
struct ProbeHarness {
    /// The parsed configuration.
    let config: ProbeConfig
    /// Where the probe records; fresh per harness, so tests never share series.
    let registry = MetricRegistry()
    /// The probe's metric families in ``registry``.
    let metrics: ProbeMetrics

    /// Parses `yaml` with `environment` as the `${VAR}` source.
    init(yaml: String, environment: [String: String] = [:]) throws {
        config = try ProbeConfigLoader(environment: environment).parse(yaml, file: "probe-test.yml")
        metrics = ProbeMetrics(registry: registry, config: config)
    }

    /// Probes the model named `name` once with its prompt number `prompt` under its first
    /// check, fallbacks included, with a client configured as `llmwatch probe` configures it
    /// (on `group` when given, else NIO's shared group) and shut down before returning.
    func probe(_ name: String, prompt: Int = 0, on group: (any EventLoopGroup)? = nil) async throws -> ProbeReport {
        let model = try #require(config.model(named: name))
        var logger = Logger(label: "probe-test")
        logger.logLevel = .critical
        let client = group.map { ProbeHTTPClient(group: $0) } ?? ProbeHTTPClient()
        let prober = Prober(config: config, metrics: metrics, client: client, logger: logger)
        let report = await prober.probe(model, check: model.checks[0], prompt: model.prompts[prompt])
        await client.shutdown()
        return report
    }

    /// The registry rendered in the Prometheus text format 0.0.4, as `/metrics` serves it.
    var exposition: String {
        String(decoding: registry.render(.text004), as: UTF8.self)
    }

    /// The value of the sample named `name` whose labels are exactly `labels`, read back from
    /// the text rendering; `nil` when the page has no such series.
    func sample(_ name: String, _ labels: [String: String] = [:]) throws -> Double? {
        var parser = ExpositionParser(bytes: registry.render(.text004), format: .text004)
        while let entry = try parser.next() {
            guard entry == .sample, parser.metricName() == name else { continue }
            let found = Dictionary(uniqueKeysWithValues: parser.labels().map { ($0.name, $0.value) })
            if found == labels { return parser.value }
        }
        return nil
    }
}

extension ProbeAttempt {
    /// The outcome of a successful call, else `nil`.
    var outcome: ProbeOutcome? {
        if case .success(let outcome) = result { outcome } else { nil }
    }

    /// The error of a failed call, else `nil`.
    var error: ProbeError? {
        if case .failure(let error) = result { error } else { nil }
    }
}
