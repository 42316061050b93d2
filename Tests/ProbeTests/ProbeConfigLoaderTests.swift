import Foundation
import Testing

@testable import Probe

/// Bad configurations fail at load with the position of the offending node and a hint on how
/// to fix it; good ones load into the model the prober runs.
struct ProbeConfigLoaderTests {
    /// Each case: YAML, environment, and the exact error the user sees.
    static let rejected: [(name: String, yaml: String, environment: [String: String], error: String)] = [
        ("misspelt field",
         "models:\n  - name: x\n    provder: openai\n", [:],
         #"bad.yml:3:5: unknown field "provder" in models[0]; did you mean "provider"?"#),
        ("unknown provider",
         "models:\n  - name: x\n    provider: opnai\n    model: gpt\n", [:],
         "bad.yml:3:15: unknown provider \"opnai\"; use one of: openai, openai_compatible, azure_openai, anthropic, gemini, ollama, prediction, simulated"),
        ("bad schedule",
         "models:\n  - name: x\n    provider: simulated\n    schedule: \"every blue moon\"\n", [:],
         "bad.yml:4:15: unrecognised schedule \"every blue moon\"; write a duration (30s, 5m), a cron expression (*/5 * * * *), or one of: every 10 minutes, */30 minutes, */6 hours, hourly, daily, daily at 14:30, weekly, weekly on sunday at 3:00, monthly on 1st at 10:00"),
        ("missing key",
         "models:\n  - name: x\n    provider: openai\n    model: gpt-4o\n", [:],
         "bad.yml:2:5: no API key for this openai model; set OPENAI_API_KEY in the environment, or add api_key: ${VAR} or api_key_file: /path"),
        ("unset variable",
         "models:\n  - provider: anthropic\n    model: claude\n    api_key: ${MY_KEY}\n", [:],
         "bad.yml:4:14: environment variable MY_KEY is not set; set it, or give a default with ${MY_KEY:-default}"),
        ("bad YAML",
         "models:\n  - name: x\n    provider: simulated\n   schedule: 5s\n", [:],
         "bad.yml:4:4: invalid YAML: while parsing a block collection (line 2): did not find expected '-' indicator"),
        ("duplicate names",
         "models:\n  - {name: a, provider: simulated}\n  - {name: a, provider: simulated}\n", [:],
         #"bad.yml:3:5: model name "a" is already used by model 1; give each model a unique name:"#),
        ("unknown fallback",
         "models:\n  - {name: a, provider: simulated, fallbacks: [b]}\n", [:],
         #"bad.yml:2:5: fallback "b" is not another model in this file"#),
        ("endpoint missing",
         "models:\n  - {name: a, provider: openai_compatible, model: m}\n", [:],
         "bad.yml:2:5: endpoint: missing; a openai_compatible model needs the base URL of its API, e.g. http://127.0.0.1:8000/v1"),
        ("bad timeout",
         "models:\n  - {name: a, provider: simulated, timeout: 5 minutes}\n", [:],
         #"bad.yml:2:45: expected a duration like 30s or 5m, got "5 minutes": "#),
        ("regex does not compile",
         "models:\n  - name: a\n    provider: simulated\n    prompts:\n      - {prompt: hi, expect: {regex: \"(\"}}\n", [:],
         #"bad.yml:5:38: regex "(" does not compile"#),
        ("proxy twice",
         "models:\n  - {name: a, provider: ollama, model: m, proxy_url: \"http://p:3128\", proxy_from_environment: true}\n", [:],
         "bad.yml:2:54: proxy_url and proxy_from_environment are both set; keep one"),
        ("socks proxy with credentials",
         "models:\n  - {name: a, provider: ollama, model: m, proxy_url: \"socks5://u:hunter2@p:1080\"}\n", [:],
         "bad.yml:2:54: proxy_url is not a proxy URL the probe can use; write http://[user:password@]host:port, or socks5://host:port (SOCKS5 without a user and password)"),
        ("bad proxy variable",
         "models:\n  - {name: a, provider: ollama, model: m, endpoint: \"http://gpu1:11434\", proxy_from_environment: true}\n",
         ["HTTP_PROXY": "https://p:3128"],
         "bad.yml:2:98: HTTP_PROXY is not a proxy URL the probe can use; write http://[user:password@]host:port, or socks5://host:port (SOCKS5 without a user and password)"),
    ]

    @Test func proxyFromTheURLOrTheEnvironment() throws {
        let environment = [
            "HTTPS_PROXY": "proxy.corp:3128", "http_proxy": "http://lower:8080", "NO_PROXY": "localhost,.internal",
            "PROXY_PASSWORD": "hunter2-proxy",
        ]
        let config = try ProbeConfigLoader(environment: environment).parse(
            """
            models:
              - {name: given, provider: ollama, model: m, proxy_url: "http://probe:${PROXY_PASSWORD}@10.0.0.1:3128"}
              - {name: https, provider: openai_compatible, model: m, endpoint: "https://api.example.com/v1", proxy_from_environment: true}
              - {name: http, provider: openai_compatible, model: m, endpoint: "http://vllm.example.com/v1", proxy_from_environment: true}
              - {name: excluded, provider: openai_compatible, model: m, endpoint: "https://llm.internal/v1", proxy_from_environment: true}
              - {name: direct, provider: openai_compatible, model: m, endpoint: "https://api.example.com/v1"}
              - {name: socks, provider: ollama, model: m, proxy_url: "socks5://10.0.0.2"}
              - {name: socks-remote-dns, provider: ollama, model: m, proxy_url: "socks5h://[fd00::2]:1081"}
            """, file: "proxy.yml")
        let proxies = config.models.map(\.proxy)
        #expect(proxies[0] == ProxyServer(host: "10.0.0.1", port: 3128, user: "probe", password: Secret("hunter2-proxy")))
        #expect(proxies[0]?.authorization?.value == "Basic " + Data("probe:hunter2-proxy".utf8).base64EncodedString())
        #expect(proxies[1] == ProxyServer(host: "proxy.corp", port: 3128))
        #expect(proxies[2] == ProxyServer(host: "lower", port: 8080))
        #expect(proxies[3] == nil, "NO_PROXY names .internal")
        #expect(proxies[4] == nil)
        #expect(proxies[5] == ProxyServer(.socks5, host: "10.0.0.2", port: 1080))
        #expect(proxies[6] == ProxyServer(.socks5, host: "fd00::2", port: 1081))
        #expect(config.secrets.contains("hunter2-proxy"))
        #expect(config.secrets.contains(proxies[0]!.authorization!.value))
    }

    @Test(arguments: rejected.indices)
    func rejectsWithPosition(index: Int) throws {
        let testCase = Self.rejected[index]
        let loader = ProbeConfigLoader(environment: testCase.environment)
        do {
            _ = try loader.parse(testCase.yaml, file: "bad.yml")
            Issue.record("\(testCase.name): expected an error")
        } catch {
            #expect("\(error)".hasPrefix(testCase.error), "\(testCase.name): got \(error)")
        }
    }

    @Test func seedMonitoringDocumentLoads() throws {
        let yaml = """
            monitoring:
              models:
                - provider: openai
                  model: gpt-4
                  priority: high
                  sla_target: 2.0  # seconds
                - provider: anthropic
                  model: claude-3-5-sonnet-20241022
                  priority: high
                  sla_target: 3.0
                - provider: google
                  model: gemini-1.5-pro
                  priority: medium
                  sla_target: 2.5
              schedule:
                performance_checks:
                  frequency: "*/6 hours"  # Every 6 hours
                  timeout: 300  # 5 minutes
                cost_analysis:
                  frequency: "daily at 2:00"
                  timeout: 600
                full_benchmark:
                  frequency: "weekly on sunday at 3:00"
                  timeout: 3600
              alerts:
                rules:
                  - name: "High Latency"
                    condition: "avg_latency > sla_target * 1.5"
            """
        let environment = ["OPENAI_API_KEY": "sk-test-openai", "ANTHROPIC_API_KEY": "sk-ant-test", "GEMINI_API_KEY": "gm-test"]
        let config = try ProbeConfigLoader(environment: environment).parse(yaml, file: "monitoring_config.yaml")
        #expect(config.models.map(\.name) == ["gpt-4", "claude-3-5-sonnet-20241022", "gemini-1.5-pro"])
        #expect(config.models.map(\.provider) == [.openai, .anthropic, .gemini])
        #expect(config.models.map(\.slaTarget) == [2.0, 3.0, 2.5])
        #expect(config.models[0].priority == "high")
        #expect(config.models[2].endpoint == "https://generativelanguage.googleapis.com/v1beta")
        let checks = config.models[0].checks
        #expect(checks.map(\.operation) == ["performance_checks", "cost_analysis", "full_benchmark"])
        #expect(checks.map(\.timeout) == [.seconds(300), .seconds(600), .seconds(3600)])
        #expect(checks[0].schedule.interval == nil)
        #expect(checks[0].schedule.cronExpression == "0 */6 * * *")
        #expect(checks[1].schedule.cronExpression == "0 2 * * *")
        #expect(config.models[1].apiKey?.value == "sk-ant-test")
        #expect(config.secrets.contains("gm-test"))
    }

    @Test func keyFromFileAndSecretNeverPrinted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmwatch-key-\(UUID().uuidString)").path
        try "sk-from-file-1234567890\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let yaml = "models:\n  - {name: a, provider: openai, model: gpt-4o-mini, api_key_file: \(path)}\n"
        let config = try ProbeConfigLoader(environment: [:]).parse(yaml, file: "k.yml")
        let key = try #require(config.models[0].apiKey)
        #expect(key.value == "sk-from-file-1234567890")
        #expect("\(key)" == "<secret>")
        #expect(!"\(config.models[0])".contains("sk-from-file"))
    }

    @Test func embeddedDefaultLoadsAndIsSimulated() throws {
        let config = try ProbeConfigLoader(environment: [:]).parse(EmbeddedDefaults.probeConfigYAML, file: EmbeddedDefaults.probeConfigName)
        #expect(config.models.count == 4)
        #expect(config.models.allSatisfy { $0.provider == .simulated })
        #expect(config.models.allSatisfy { $0.checks.first?.schedule.interval == .seconds(5) })
    }

    @Test func examplesShippedInTheRepositoryLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let environment = ["OPENAI_API_KEY": "sk-a", "ANTHROPIC_API_KEY": "sk-b", "GEMINI_API_KEY": "c", "VLLM_API_KEY": "d"]
        for name in ["probe.yml", "simulated.yml", "monitoring_config.yaml"] {
            let path = root.appendingPathComponent("examples/\(name)").path
            let config = try ProbeConfigLoader(environment: environment).load(path: path)
            #expect(!config.models.isEmpty, "\(name)")
        }
        let simulated = try String(contentsOf: root.appendingPathComponent("examples/simulated.yml"), encoding: .utf8)
        #expect(simulated == EmbeddedDefaults.probeConfigYAML, "examples/simulated.yml must equal the embedded default")
    }
}
