import Foundation
import Probe
import Testing

/// Failures before or instead of a stream, one error class each: a stall past the deadline, a
/// closed port, and the HTTP statuses providers answer with.
@Suite struct ErrorClassTests {
    /// A config with one OpenAI-compatible model `probed` at `baseURL`, keyed with `key`.
    static func openAICompatible(_ baseURL: String, key: String = "test-key-0123456789", timeout: String = "5s")
        -> String
    {
        """
        models:
          - name: probed
            provider: openai_compatible
            model: tiny.gguf
            endpoint: \(baseURL)/v1
            api_key: \(key)
            timeout: \(timeout)
        """
    }

    /// Probes `probed`, requires that it failed, and returns the error and the harness.
    static func failure(_ yaml: String) async throws -> (ProbeError, ProbeHarness) {
        let harness = try ProbeHarness(yaml: yaml)
        let report = try await harness.probe("probed")
        let error = try #require(report.attempts.first?.error, "the probe should have failed")
        return (error, harness)
    }

    /// `llm_error_total` of `probed` for `type`.
    static func errorCount(_ harness: ProbeHarness, provider: String, type: ErrorClass) throws -> Double? {
        try harness.sample(
            "llm_error_total", ["model": "probed", "provider": provider, "operation": "probe", "type": type.rawValue])
    }

    @Test(arguments: ProviderCase.all)
    func stallMidStreamTimesOutWithinTheDeadline(_ provider: ProviderCase) async throws {
        let chunks = try provider.chunks()
        let steps: [ReplyStep] = [.send(chunks[0]), .pause(.seconds(30))] + .sending(Array(chunks.dropFirst()))
        try await withFixtureServer(.stream(steps)) { server in
            let started = ContinuousClock.now
            let (error, harness) = try await Self.failure(provider.yaml(baseURL: server.baseURL, timeout: "500ms"))
            let elapsed = ContinuousClock.now - started
            #expect(error.errorClass == .timeout)
            // The stall lasts 30 s; the margin only absorbs a busy test run (two cores, a dozen
            // runnable threads), far below the stall.
            #expect(elapsed < .milliseconds(500 + 10_000), "a stalled stream must not hold the probe past its deadline")
            #expect(try Self.errorCount(harness, provider: provider.provider, type: .timeout) == 1)
        }
    }

    @Test func closedPortIsAConnectionErrorAtOnce() async throws {
        let closedURL = try await withFixtureServer(.body(200, "{}")) { $0.baseURL }
        let started = ContinuousClock.now
        let (error, harness) = try await Self.failure(Self.openAICompatible(closedURL, timeout: "20s"))
        #expect(error.errorClass == .connection)
        #expect(error.httpStatus == nil)
        #expect(ContinuousClock.now - started < .seconds(10), "a refused connection is reported, not waited out")
        #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .connection) == 1)
    }

    @Test func status407IsTheProxysRefusalNotTheModels() async throws {
        try await withFixtureServer(.body(407, "<html>proxy login</html>")) { server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .connection)
            #expect(error.httpStatus == 407)
            #expect(error.message == "the proxy refused the request: 407 Proxy Authentication Required")
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .connection) == 1)
        }
    }

    @Test func status429ParsesRetryAfterSeconds() async throws {
        let body =
            #"{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        try await withFixtureServer(.body(429, body, headers: [("retry-after", "7")])) { server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .rateLimit)
            #expect(error.httpStatus == 429)
            #expect(error.retryAfter == .seconds(7))
            #expect(error.message == "Rate limit reached for requests")
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .rateLimit) == 1)
            #expect(
                try harness.sample(
                    "llm_rate_limit_exceeded_total", ["model": "probed", "provider": "openai_compatible"]) == 1)
        }
    }

    @Test func status429ParsesRetryAfterHTTPDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let sent = Date()
        let date = formatter.string(from: sent.addingTimeInterval(120))
        try await withFixtureServer(.body(429, "{}", headers: [("retry-after", date)])) { server in
            let (error, _) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .rateLimit)
            let wait = try #require(error.retryAfter)
            // The date has whole seconds and is read some time after it was written.
            let read = Date().timeIntervalSince(sent)
            #expect(wait <= .seconds(120))
            #expect(wait >= .fromSeconds(120 - read - 1))
        }
    }

    @Test func anthropicRateLimitError() async throws {
        let body = try Fixture.text("anthropic-error-rate-limit.json")
        try await withFixtureServer(.body(429, body, headers: [("retry-after", "12")])) { server in
            let provider = try #require(ProviderCase.all.first { $0.provider == "anthropic" })
            let (error, harness) = try await Self.failure(provider.yaml(baseURL: server.baseURL))
            #expect(error.errorClass == .rateLimit)
            #expect(error.retryAfter == .seconds(12))
            #expect(error.message == "Your account has hit a rate limit.")
            #expect(
                try harness.sample("llm_rate_limit_exceeded_total", ["model": "probed", "provider": "anthropic"]) == 1)
        }
    }

    @Test(arguments: [401, 403])
    func authStatusRedactsTheEchoedKey(_ status: Int) async throws {
        let key = "sk-proj-Zx81kQ2mW7rT5yB0cN4vL6pH"
        let body = """
            {"error":{"message":"Incorrect API key provided: \(key). You can find your API key at \
            https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
            """
        try await withFixtureServer(.body(status, body)) { server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL, key: key))
            #expect(error.errorClass == .auth)
            #expect(error.httpStatus == status)
            #expect(!error.message.contains(key))
            #expect(!error.description.contains(key))
            #expect(error.message.hasPrefix("Incorrect API key provided: <redacted>."))
            #expect(!harness.exposition.contains(key))
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .auth) == 1)
        }
    }

    @Test func geminiInvalidKeyIsAnAuthErrorDespiteItsStatus400() async throws {
        let body = try Fixture.text("gemini-error-api-key.json")
        try await withFixtureServer(.body(400, body)) { server in
            let provider = try #require(ProviderCase.all.first { $0.provider == "gemini" })
            let (error, harness) = try await Self.failure(provider.yaml(baseURL: server.baseURL))
            #expect(error.errorClass == .auth)
            #expect(error.httpStatus == 400)
            #expect(error.message == "API key not valid. Please pass a valid API key.")
            #expect(try Self.errorCount(harness, provider: "gemini", type: .auth) == 1)
        }
    }

    @Test func status400IsABadRequest() async throws {
        let body = #"{"error":{"code":400,"message":"'messages' must be an array","type":"invalid_request_error"}}"#
        try await withFixtureServer(.body(400, body)) { server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .badRequest)
            #expect(error.message == "'messages' must be an array")
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .badRequest) == 1)
        }
    }

    @Test func geminiUnknownModelIsABadRequest() async throws {
        let body = try Fixture.text("gemini-error-unknown-model.json")
        try await withFixtureServer(.body(404, body)) { server in
            let provider = try #require(ProviderCase.all.first { $0.provider == "gemini" })
            let (error, harness) = try await Self.failure(provider.yaml(baseURL: server.baseURL))
            #expect(error.errorClass == .badRequest)
            #expect(error.httpStatus == 404)
            #expect(error.message.hasPrefix("models/gemini-5.0-flash is not found for API version v1"))
            #expect(try Self.errorCount(harness, provider: "gemini", type: .badRequest) == 1)
        }
    }

    @Test func ollamaUnknownModelIsABadRequest() async throws {
        let body = #"{"error":"model \"llama3.2\" not found, try pulling it first"}"#
        try await withFixtureServer(.body(404, body)) { server in
            let provider = try #require(ProviderCase.all.first { $0.provider == "ollama" })
            let (error, _) = try await Self.failure(provider.yaml(baseURL: server.baseURL))
            #expect(error.errorClass == .badRequest)
            #expect(error.message == #"model "llama3.2" not found, try pulling it first"#)
        }
    }

    @Test func status500IsAServerError() async throws {
        try await withFixtureServer(
            .body(500, #"{"error":{"code":500,"message":"Internal server error","type":"server_error"}}"#)
        ) {
            server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .serverError)
            #expect(error.httpStatus == 500)
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .serverError) == 1)
        }
    }

    @Test func aRedirectIsAnInvalidResponseThatNamesWhereTo() async throws {
        try await withFixtureServer(
            .body(301, "", headers: [("location", "https://api.example.com/v1/chat/completions")])
        ) { server in
            let (error, harness) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .invalidResponse)
            #expect(error.httpStatus == 301)
            #expect(error.message.contains("redirected to https://api.example.com/v1/chat/completions"))
            #expect(try Self.errorCount(harness, provider: "openai_compatible", type: .invalidResponse) == 1)
        }
    }

    @Test func status500WhoseBodyIsCutOffIsStillAServerError() async throws {
        let reply = FixtureReply(
            status: 500, headers: [("content-type", "application/json")],
            steps: [.send(Array(#"{"error":{"message":"Internal"#.utf8)), .abort])
        try await withFixtureServer(reply) { server in
            let (error, _) = try await Self.failure(Self.openAICompatible(server.baseURL))
            #expect(error.errorClass == .serverError)
            #expect(error.httpStatus == 500)
        }
    }

    @Test func anthropicOverloaded529IsAServerError() async throws {
        let body = try Fixture.text("anthropic-error-overloaded.json")
        try await withFixtureServer(.body(529, body)) { server in
            let provider = try #require(ProviderCase.all.first { $0.provider == "anthropic" })
            let (error, harness) = try await Self.failure(provider.yaml(baseURL: server.baseURL))
            #expect(error.errorClass == .serverError)
            #expect(error.httpStatus == 529)
            #expect(error.message == "Overloaded")
            #expect(try Self.errorCount(harness, provider: "anthropic", type: .serverError) == 1)
            #expect(
                try harness.sample("llm_rate_limit_exceeded_total", ["model": "probed", "provider": "anthropic"]) == 0)
        }
    }
}
