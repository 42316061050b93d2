/// The configuration `llmwatch probe` runs when no `--config.file` is given: simulated models
/// shaped after the user's own list (seed 001), so that metrics move within seconds with no
/// keys and no network. Every series it produces carries `provider="simulated"`.
public enum EmbeddedDefaults {
    /// The name errors use for the embedded configuration.
    public static let probeConfigName = "<embedded:simulated.yml>"

    /// The embedded probe configuration (also shipped as `examples/simulated.yml`).
    public static let probeConfigYAML = """
        # Simulated models: no network, no keys. Latencies, errors, rate limits and drift are
        # drawn from the distributions below.
        global:
          schedule: 5s
          timeout: 30s
        models:
          - name: sim-gpt-4
            provider: simulated
            model: gpt-4
            priority: high
            sla_target: 2.0
            pricing: {input_per_million: 30, output_per_million: 60}
            simulation: {time_to_first_token: 400ms, time_per_token: 25ms, error_ratio: 0.01, rate_limit_ratio: 0.01, accuracy: 0.97}
            prompts:
              - name: arithmetic
                prompt: "What is 17 + 25? Answer with the number only."
                max_tokens: 16
                expect: {contains: "42"}
          - name: sim-claude-3-5-sonnet
            provider: simulated
            model: claude-3-5-sonnet-20241022
            priority: high
            sla_target: 3.0
            pricing: {input_per_million: 3, output_per_million: 15}
            simulation: {time_to_first_token: 600ms, time_per_token: 30ms, error_ratio: 0.02, accuracy: 0.95}
            prompts:
              - name: capital
                prompt: "What is the capital of France? One word."
                max_tokens: 8
                expect: {contains: "Paris"}
          - name: sim-gemini-1.5-pro
            provider: simulated
            model: gemini-1.5-pro
            priority: medium
            sla_target: 2.5
            pricing: {input_per_million: 1.25, output_per_million: 5}
            fallbacks: [sim-gpt-4]
            simulation:
              time_to_first_token: 500ms
              time_per_token: 20ms
              error_ratio: 0.15
              rate_limit_ratio: 0.05
              accuracy: 0.9
              latency_drift_per_hour: 0.5
            prompts:
              - name: json
                prompt: "Reply with JSON {\\"answer\\": 4} for 2+2."
                max_tokens: 16
                expect: {json_field: answer, equals: "4"}
          # The demo's outage: every 3 minutes, from 20 s in, this model fails every call for a
          # minute, so an alert fires and resolves within the first two minutes of `llmwatch run`.
          - name: sim-llama-3-8b
            provider: simulated
            model: llama-3-8b-instruct
            priority: low
            sla_target: 1.5
            pricing: {input_per_million: 0.05, output_per_million: 0.1}
            simulation:
              time_to_first_token: 150ms
              time_per_token: 10ms
              error_ratio: 0.01
              rate_limit_ratio: 0
              accuracy: 0.85
              outage_every: 3m
              outage_offset: 20s
              outage_duration: 60s
            prompts:
              - name: arithmetic
                prompt: "What is 17 + 25? Answer with the number only."
                max_tokens: 16
                expect: {contains: "42"}

        """
}
