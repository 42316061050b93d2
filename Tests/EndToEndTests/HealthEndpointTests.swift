import TestSupport
import Foundation
import Testing

/// The Prometheus-style management endpoints, the index page, and `/probe` for one model.
struct HealthEndpointTests {
    @Test func healthReadyIndexAndProbe() async throws {
        let probe = try await RunningProbe.start()
        defer { Task { await probe.stop() } }
        #expect(try await HTTP.get("\(probe.baseURL)/-/healthy").status == 200)
        #expect(try await HTTP.get("\(probe.baseURL)/-/ready").status == 200)
        let index = try await HTTP.get("\(probe.baseURL)/")
        #expect(index.body.contains("sim-claude-3-5-sonnet"))

        let single = try await HTTP.get("\(probe.baseURL)/probe?target=sim-claude-3-5-sonnet")
        #expect(single.status == 200)
        #expect(single.body.contains("probe_success "))
        #expect(single.body.contains("llm_request_total{model=\"sim-claude-3-5-sonnet\",provider=\"simulated\",operation=\"probe\"} 1"))
        #expect(!single.body.contains("sim-gpt-4"), "a /probe answer holds that probe's metrics alone")

        let unknown = try await HTTP.get("\(probe.baseURL)/probe?target=nope")
        #expect(unknown.status == 400)
        #expect(unknown.body.contains("configured models: sim-gpt-4"))
        let debug = try await HTTP.get("\(probe.baseURL)/probe?target=sim-gpt-4&module=arithmetic&debug=true")
        #expect(debug.body.contains("What is 17 + 25?"))
        #expect(debug.body.contains("Metrics that would be returned:"))
        await probe.stop()
    }
}

/// The built binary's HTTP client gives up on a refused connection at once: the probe reports
/// `connection`, long before its 20 s timeout would call it `timeout`.
struct RefusedConnectionTests {
    @Test func aRefusedEndpointIsAConnectionErrorAtOnce() async throws {
        try await Programs.withRefusingPort { port in
            let directory = try Programs.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("probe.yml")
            try """
                models:
                  - name: local-vllm
                    provider: openai_compatible
                    model: llama
                    endpoint: http://127.0.0.1:\(port)/v1
                    schedule: 1h
                    timeout: 20s
                    prompts:
                      - name: hello
                        prompt: "Say hello."
                """.write(to: config, atomically: true, encoding: .utf8)
            let probe = try await RunningProbe.start(["--config.file", config.path])
            do {
                let started = ContinuousClock.now
                let reply = try await HTTP.get("\(probe.baseURL)/probe?target=local-vllm")
                let took = ContinuousClock.now - started
                #expect(reply.body.contains(#"llm_error_total{model="local-vllm",provider="openai_compatible",operation="probe",type="connection"} 1"#), "\(reply.body)")
                #expect(took < .seconds(10), "took \(took)")
            } catch {
                await probe.stop()
                throw error
            }
            await probe.stop()
        }
    }
}
