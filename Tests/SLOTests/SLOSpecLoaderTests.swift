import Config
import Testing

@testable import SLO

/// Reading SLO specs: both formats, and errors that say where and what.
struct SLOSpecLoaderTests {
    static func load(_ yaml: String) throws -> SLOSpecFile {
        try SLOSpecFile.parse(try ConfigLoader.parse(yaml, file: "slo.yml", environment: [:]))
    }

    static let valid = """
        version: prometheus/v1
        service: chat
        slos:
          - name: availability
            objective: 99.5
            sli:
              raw:
                error_ratio_query: 1 - avg_over_time(llm_probe_success[{{.window}}])
            alerting:
              name: ChatAvailability
        """

    @Test func aSlothSpecLoads() throws {
        let file = try Self.load(Self.valid)
        let slo = try #require(file.service.slos.first)
        #expect(file.service.service == "chat")
        #expect(slo.objective == 0.995)
        #expect(slo.errorBudget == (100 - 99.5) / 100)
        #expect(slo.alertName == "ChatAvailability")
        #expect(slo.period == 30 * 86_400_000)
    }

    @Test(arguments: [
        (Self.valid.replacingOccurrences(of: "prometheus/v1", with: "prometheus/v2"),
            "slo.yml:1:10: unsupported SLO spec version \"prometheus/v2\"; expected prometheus/v1"),
        (Self.valid.replacingOccurrences(of: "99.5", with: "120"),
            "slo.yml:5:16: objective must be a percentage above 0 and at most 100, got 120.0"),
        (Self.valid.replacingOccurrences(of: "[{{.window}}]", with: "[5m]"),
            "slo.yml:8:28: the query has no {{.window}} placeholder for the range, e.g. rate(x[{{.window}}])"),
        (Self.valid.replacingOccurrences(of: "avg_over_time(", with: "avg_over_time(("),
            "slo.yml:8:28: invalid PromQL: 1:42: parse error: unclosed left parenthesis"),
        (Self.valid.replacingOccurrences(of: "objective:", with: "objectve:"),
            "slo.yml:4:5: missing required field \"objective\" in slos[0]"),
        (Self.valid.replacingOccurrences(of: "    alerting:\n      name: ChatAvailability", with: "    alerting: {}"),
            "slo.yml:9:15: alerting needs a name unless both page_alert and ticket_alert are disabled"),
        (Self.valid.replacingOccurrences(of: "raw:\n        error_ratio_query", with: "plugin:\n        id"),
            "slo.yml:7:7: SLI plugins are not supported by llmwatch; write the SLI as events or raw queries"),
        (Self.valid.replacingOccurrences(of: "name: availability", with: "name: avail ability"),
            "slo.yml:4:11: invalid SLO name \"avail ability\": use letters, digits, '-', '_' and '.', starting with a letter or digit"),
        ("service_levels: []", "slo.yml:1:1: not an SLO spec: expected a Sloth spec (version: prometheus/v1) or an slo-config (service_level_objectives)"),
    ])
    func badSpecsAreRefusedWithTheirPlace(yaml: String, message: String) {
        do {
            _ = try Self.load(yaml)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func anSLOConfigEntryTakesAnAlertingBlock() throws {
        let file = try Self.load(
            """
            service_level_objectives:
              - name: error_rate_slo
                description: "Error rate below 1%"
                metric: model_errors_total / model_predictions_total
                target: 0.01
                alerting:
                  name: ModelErrorBudgetBurn
                  labels: {category: errors}
                  annotations: {runbook_url: "docs/runbooks/ModelErrorBudgetBurn.md"}
                  page_alert: {labels: {severity: critical}}
                  ticket_alert: {labels: {severity: warning}}
            """)
        let slo = try #require(file.service.slos.first)
        #expect(slo.alertName == "ModelErrorBudgetBurn")
        #expect(slo.alertLabels == ["category": "errors"])
        #expect(slo.page.labels == ["severity": "critical"])
        #expect(slo.alertAnnotations["runbook_url"] == "docs/runbooks/ModelErrorBudgetBurn.md")
    }

    @Test func theSeedsSLOConfigLoads() throws {
        let root = try ConfigLoader.load(path: SLOGeneratorTests.fixtures.appendingPathComponent("seed-slo-config.yml").path)
        let file = try SLOSpecFile.parse(root)
        let byName = Dictionary(uniqueKeysWithValues: file.service.slos.map { ($0.name, $0) })
        #expect(byName.count == 4)
        #expect(byName["prediction_latency_slo"]?.objective == 0.95)
        #expect(byName["availability_slo"]?.objective == 0.999)
        #expect(byName["accuracy_slo"]?.period == Int64(7 * 86_400_000))
        #expect(byName["error_rate_slo"]?.errorBudget == 0.01, "error rate below 1%: budget 1%, not the seed's 0.99")
        #expect(file.warnings.count == 1)
        #expect(file.warnings.first?.contains("error_budget 0.99") == true)
        #expect(file.agreements.first?.penalties.count == 2)
        guard case .events(let error, let total) = byName["prediction_latency_slo"]?.indicator else {
            Issue.record("latency SLO should count events")
            return
        }
        #expect(total == "(sum(rate(model_prediction_latency_seconds_count[{{.window}}])) > 0)")
        #expect(error.contains(#"model_prediction_latency_seconds_bucket{le="0.1"}"#))
        #expect(byName["availability_slo"]?.indicator == .raw(errorRatioQuery: #"1 - avg(avg_over_time(up{job="model-serving"}[{{.window}}]))"#))
    }
}
