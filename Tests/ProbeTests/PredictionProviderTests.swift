import Probe
import Testing

/// The plain JSON prediction client and the `model_*` family it feeds.
@Suite struct PredictionProviderTests {
    /// A config with one prediction model `fraud` at `endpoint`, reading `fields`.
    static func yaml(endpoint: String, fields: String) -> String {
        """
        models:
          - name: fraud
            provider: prediction
            endpoint: \(endpoint)/predict
            model_version: v1.2.0
            timeout: 60s
            prediction: \(fields)
            prompts:
              - name: known-fraud
                input: {amount: 9800, country: XX, card_present: false}
                expect: {exact: fraud}
        """
    }

    /// `labels` plus the model's `model_name` and `model_version`.
    static func series(_ labels: [String: String] = [:]) -> [String: String] {
        labels.merging(["model_name": "fraud", "model_version": "v1.2.0"]) { $1 }
    }

    @Test func fieldAndConfidenceAreRecorded() async throws {
        try await withFixtureServer(.body(200, #"{"prediction": "fraud", "confidence": 0.93}"#)) { server in
            let harness = try ProbeHarness(
                yaml: Self.yaml(endpoint: server.baseURL, fields: "{field: prediction, confidence_field: confidence}"))
            let report = try await harness.probe("fraud")

            let attempt = try #require(report.attempts.first)
            let outcome = try #require(attempt.outcome)
            #expect(outcome.text == "fraud")
            #expect(outcome.confidence == 0.93)
            #expect(outcome.timeToFirstToken == nil)
            #expect(attempt.correct == true)

            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/predict")
            let body = try #require(request.json)
            #expect(body["amount"] as? Int == 9800)
            #expect(body["country"] as? String == "XX")
            #expect(body["card_present"] as? Bool == false)

            #expect(try harness.sample("model_predictions_total", Self.series(["status": "success"])) == 1)
            #expect(try harness.sample("model_predictions_total", Self.series(["status": "error"])) == 0)
            #expect(try harness.sample("model_prediction_latency_seconds_count", Self.series()) == 1)
            #expect(try harness.sample("model_prediction_confidence_count", Self.series()) == 1)
            #expect(try harness.sample("model_prediction_confidence_sum", Self.series()) == 0.93)
            #expect(try harness.sample("model_prediction_confidence_bucket", Self.series(["le": "0.9"])) == 0)
            #expect(try harness.sample("model_prediction_confidence_bucket", Self.series(["le": "0.95"])) == 1)
            #expect(try harness.sample("model_online_accuracy", Self.series()) == 1)
            #expect(
                try harness.sample(
                    "llm_request_total", ["model": "fraud", "provider": "prediction", "operation": "probe"]) == nil)
        }
    }

    @Test func nestedPathsAndAWrongAnswer() async throws {
        let body = #"{"result": {"label": "legit", "scores": [0.71, 0.29]}}"#
        try await withFixtureServer(.body(200, body)) { server in
            let harness = try ProbeHarness(
                yaml: Self.yaml(
                    endpoint: server.baseURL, fields: "{field: result.label, confidence_field: result.scores.0}"))
            let report = try await harness.probe("fraud")

            let attempt = try #require(report.attempts.first)
            #expect(attempt.outcome?.text == "legit")
            #expect(attempt.outcome?.confidence == 0.71)
            #expect(attempt.correct == false)
            #expect(try harness.sample("model_predictions_total", Self.series(["status": "success"])) == 1)
            #expect(try harness.sample("model_online_accuracy", Self.series()) == 0)
        }
    }

    @Test func missingFieldIsAnInvalidResponse() async throws {
        try await withFixtureServer(.body(200, #"{"label": "fraud"}"#)) { server in
            let harness = try ProbeHarness(yaml: Self.yaml(endpoint: server.baseURL, fields: "{field: prediction}"))
            let report = try await harness.probe("fraud")

            let error = try #require(report.attempts.first?.error)
            #expect(error.errorClass == .invalidResponse)
            #expect(error.message.contains("prediction"))
            #expect(try harness.sample("model_predictions_total", Self.series(["status": "error"])) == 1)
            #expect(
                try harness.sample("model_errors_total", ["model_name": "fraud", "error_type": "invalid_response"]) == 1
            )
            #expect(try harness.sample("model_prediction_latency_seconds_count", Self.series()) == nil)
        }
    }

    @Test func oversizedBodyIsAnInvalidResponse() async throws {
        let garbage = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        let reply = FixtureReply(
            status: 200, headers: [("content-type", "application/json")],
            steps: Array(repeating: .send(garbage), count: 160))
        try await withFixtureServer(reply) { server in
            let harness = try ProbeHarness(yaml: Self.yaml(endpoint: server.baseURL, fields: "{field: prediction}"))
            let report = try await harness.probe("fraud")

            let error = try #require(report.attempts.first?.error)
            #expect(error.errorClass == .invalidResponse)
            #expect(error.message.contains("larger than"))
        }
    }
}
