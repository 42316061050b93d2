import Probe
import Testing

/// Streams that start with a 200 and then go wrong: cut off (cleanly or by a dropped
/// connection), garbled, oversized, or ended by the provider's own error event.
@Suite struct BrokenStreamTests {
    /// Serves `reply` to `provider`'s model `probed` and returns the probe's error.
    static func failure(_ provider: ProviderCase, _ reply: FixtureReply) async throws -> (ProbeError, ProbeHarness) {
        try await withFixtureServer(reply) { server in
            let harness = try ProbeHarness(yaml: provider.yaml(baseURL: server.baseURL))
            let report = try await harness.probe("probed")
            let error = try #require(report.attempts.first?.error, "the probe should have failed")
            return (error, harness)
        }
    }

    /// The content type `provider` streams with.
    static func contentType(_ provider: ProviderCase) -> String {
        provider.isNDJSON ? "application/x-ndjson" : "text/event-stream"
    }

    @Test(arguments: ProviderCase.all)
    func bodyEndingBeforeTheEndEventIsInvalid(_ provider: ProviderCase) async throws {
        let chunks = try provider.chunks()
        let reply = FixtureReply.stream(.sending(Array(chunks.dropLast())), contentType: Self.contentType(provider))
        let (error, harness) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .invalidResponse)
        #expect(error.httpStatus == nil)
        #expect(try ErrorClassTests.errorCount(harness, provider: provider.provider, type: .invalidResponse) == 1)
        #expect(
            try harness.sample(
                "llm_request_duration_seconds_count",
                ["model": "probed", "provider": provider.provider, "operation": "probe"]) == nil)
    }

    @Test(arguments: ProviderCase.all)
    func connectionDroppedMidBodyIsInvalid(_ provider: ProviderCase) async throws {
        let chunks = try provider.chunks()
        let reply = FixtureReply.stream(
            .sending(Array(chunks.prefix(max(1, chunks.count / 2)))) + [.abort], contentType: Self.contentType(provider)
        )
        let (error, _) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .invalidResponse)
        #expect(
            error.message == "connection closed before the response ended",
            "the transport, not the decoder, saw the cut")
    }

    @Test(arguments: ProviderCase.all)
    func lineThatIsNotJSONIsInvalid(_ provider: ProviderCase) async throws {
        var chunks = try provider.chunks()
        chunks.insert(Array(provider.badLine.utf8), at: 1)
        let (error, _) = try await Self.failure(
            provider, .stream(.sending(chunks), contentType: Self.contentType(provider)))
        #expect(error.errorClass == .invalidResponse)
        #expect(error.message.contains("not valid JSON"))
    }

    @Test func tenMegabytesWithoutANewlineIsInvalid() async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == "openai_compatible" })
        let garbage = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        let reply = FixtureReply.stream(Array(repeating: ReplyStep.send(garbage), count: 160))
        let (error, _) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .invalidResponse)
        #expect(error.message.contains("longer than"))
    }

    /// After an error event the body is held open: the probe reports the error without waiting
    /// for the body's end (or its deadline).
    static let heldOpen: [ReplyStep] = [.pause(.seconds(30))]

    @Test func anthropicErrorEventAfter200IsAServerError() async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == "anthropic" })
        let chunks = try provider.chunks()
        let reply = try FixtureReply.stream(
            .sending(Array(chunks.prefix(4)) + Fixture.events("anthropic-stream-error-event.sse")) + Self.heldOpen)
        let (error, harness) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .serverError)
        #expect(error.message == "Overloaded")
        #expect(try ErrorClassTests.errorCount(harness, provider: "anthropic", type: .serverError) == 1)
    }

    @Test func openAIErrorChunkAfter200IsAServerError() async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == "openai" })
        let chunks = try provider.chunks()
        let errorChunk =
            #"data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"#
        let reply = FixtureReply.stream(.sending(Array(chunks.prefix(3)) + [Array((errorChunk + "\n\n").utf8)]) + Self.heldOpen)
        let (error, _) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .serverError)
        #expect(error.message == "The server had an error while processing your request.")
    }

    @Test func ollamaErrorLineAfter200IsAServerError() async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == "ollama" })
        let chunks = try provider.chunks()
        let reply = FixtureReply.stream(
            .sending([chunks[0], Array(#"{"error":"an error was encountered while running the model"}\#n"#.utf8)]) + Self.heldOpen,
            contentType: "application/x-ndjson")
        let (error, _) = try await Self.failure(provider, reply)
        #expect(error.errorClass == .serverError)
        #expect(error.message == "an error was encountered while running the model")
    }
}
