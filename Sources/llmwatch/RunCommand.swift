import ArgumentParser
import EvaluatorRuntime
import Evaluator
import Exposition
import Foundation
import Hummingbird
import Logging
import Probe
import ServiceLifecycle
import Web

/// `llmwatch run`: the probe and the evaluator in one process on embedded defaults: simulated
/// models (one with a recurring outage), a self-scrape into the embedded store, the shipped
/// rules and SLOs, alerts to the log and the web page, so that within a minute a person sees
/// metrics move, an SLO burn, and an alert fire and resolve, with no keys and no Prometheus.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Probe and evaluate in one process: the one-command start (simulated models by default).",
        discussion: """
            Everything is served on --web.listen-address (default :9479): the web page at /, the Prometheus API \
            under /api/v1, both roles' metrics at /metrics, and /probe. The probe's --probe.config defaults to \
            the embedded simulated models; the rules are the shipped rules/ directory when it is found (in the \
            working directory or beside the binary), plus a fast demo group. Add --notifier.url to send alerts \
            to an Alertmanager.
            """)

    @Option(name: .customLong("probe.config"), help: "The probe's configuration (default: the embedded simulated models).")
    var probeConfig: String?

    @Option(name: .customLong("rules.dir"), help: "The directory of shipped rules (default: rules/ in the working directory or beside the binary).")
    var rulesDirectory: String?

    @OptionGroup var evaluator: EvaluatorFlags

    func run() async throws {
        let logger = makeLogger(level: evaluator.logLevel, format: evaluator.logFormat)
        let address = try ListenAddress(evaluator.listenAddress)
        let registry = MetricRegistry()
        registry.register(collector: ProcessMetricsCollector(version: LLMWatch.version))

        let client = ProbeHTTPClient()
        let source: ProbeConfigSource = probeConfig.map { .file($0) }
            ?? .embedded(yaml: EmbeddedDefaults.probeConfigYAML, name: EmbeddedDefaults.probeConfigName)
        let probe: ProbeRuntime
        do {
            probe = try ProbeRuntime(source: source, registry: registry, client: client, logger: logger)
        } catch {
            await client.shutdown()
            logger.error("invalid probe configuration", metadata: ["err": "\(error)"])
            throw ExitCode(1)
        }

        let scrapeHost = ["0.0.0.0", "::", ""].contains(address.host) ? "127.0.0.1" : address.host
        var options = try evaluator.options(
            config: evaluator.configFile.map { .file($0) }
                ?? .embedded(
                    name: "<embedded:run.yml>", yaml: RunDefaults.prometheusYAML(target: "\(scrapeHost):\(address.port)"),
                    directory: FileManager.default.currentDirectoryPath))
        options.embeddedRules = [.text(name: "<embedded:demo.rules.yml>", yaml: RunDefaults.demoRules)]
        if evaluator.configFile == nil {
            if let directory = rulesDirectory ?? RunDefaults.shippedRulesDirectory() {
                options.ruleFiles.append(directory + "/*.yml")
                logger.info("evaluating the shipped rules", metadata: ["dir": "\(directory)"])
            } else {
                options.embeddedSLOs = [(name: "<embedded:demo.sloth.yml>", yaml: RunDefaults.demoSLOs)]
                logger.info("no rules/ directory found: evaluating the demo rules and SLOs only")
            }
        }
        options.logAlerts = true
        options.alsoReload = { try probe.reload() }
        let probeRoutes = ProbeRoutes(runtime: probe, logger: logger)
        do {
            try await serveEvaluator(
                options: options, flags: evaluator, registry: registry, logger: logger,
                extraServices: [ProbeService(runtime: probe)]
            ) { router in
                probeRoutes.registerProbeEndpoint(on: router)
            }
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }
}

/// The embedded defaults of `llmwatch run`.
enum RunDefaults {
    /// Scrapes this process every 5 s as job `llmwatch-probe` (the job the shipped rules and
    /// dashboards name) and evaluates every 5 s.
    static func prometheusYAML(target: String) -> String {
        """
        global:
          scrape_interval: 5s
          evaluation_interval: 5s
        scrape_configs:
          - job_name: llmwatch-probe
            static_configs:
              - targets: ['\(target)']

        """
    }

    /// A demo group on a one-minute timescale, for the simulated outage of `sim-llama-3-8b`.
    static let demoRules = """
        groups:
          - name: llmwatch-demo
            interval: 5s
            rules:
              - record: llm:error_ratio_30s
                expr: |
                  sum by (model, provider, operation) (rate(llm_error_total[30s]))
                    /
                  sum by (model, provider, operation) (rate(llm_request_total[30s]))
              - alert: LLMDemoOutage
                expr: llm:error_ratio_30s{provider="simulated"} > 0.5
                for: 10s
                labels:
                  severity: warning
                  category: demo
                annotations:
                  summary: "{{ $labels.model }} is down (a simulated outage)"
                  description: >-
                    {{ $value | humanizePercentage }} of the probe's requests to {{ $labels.model }} failed
                    over the last 30 seconds. This is the demo's simulated outage: it recurs every 3 minutes
                    and lasts a minute.
                  runbook_url: https://github.com/llmwatch/llmwatch/blob/main/docs/runbooks/LLMDemoOutage.md

        """

    /// Availability SLOs of the simulated models, when the shipped rules are not found.
    static let demoSLOs = """
        version: "prometheus/v1"
        service: "llm"
        slos:
          - name: "availability"
            objective: 99
            description: "99% of the probe's requests to each model succeed."
            sli:
              events:
                error_query: sum by (model, provider) (rate(llm_error_total[{{.window}}]))
                total_query: sum by (model, provider) (rate(llm_request_total[{{.window}}])) > 0
            alerting:
              name: LLMAvailabilityBudgetBurn
              labels: {category: slo}
              annotations:
                summary: "{{ $labels.model }} is spending its availability error budget too fast"
              page_alert: {labels: {severity: critical}}
              ticket_alert: {labels: {severity: warning}}

        """

    /// `rules/` in the working directory, or beside the binary (`<prefix>/bin/llmwatch` with
    /// `<prefix>/rules`, or a build directory inside the repository).
    static func shippedRulesDirectory() -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/rules"]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("rules").path)
            candidates.append(directory.appendingPathComponent("etc/llmwatch/rules").path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append("/etc/llmwatch/rules")
        return candidates.first { path in
            (try? FileManager.default.contentsOfDirectory(atPath: path))?.contains { $0.hasSuffix(".yml") } == true
        }
    }
}
