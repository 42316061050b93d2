import Probe
import Testing

/// How a stream is framed on the wire must not change what the probe reads: lines and events
/// split across writes, CRLF line endings, and megabytes of keep-alive comments that make the
/// client pause reading until the decoder catches up.
@Suite struct StreamFramingTests {
    @Test(arguments: ProviderCase.all)
    func streamSplitIntoFiveByteWritesReadsTheSame(_ provider: ProviderCase) async throws {
        let whole = try provider.chunks().flatMap { $0 }
        let pieces = stride(from: 0, to: whole.count, by: 5).map { Array(whole[$0..<min($0 + 5, whole.count)]) }
        let contentType = provider.isNDJSON ? "application/x-ndjson" : "text/event-stream"
        let expected = try await Self.outcome(
            provider, .stream(.sending(try provider.chunks()), contentType: contentType))
        let split = try await Self.outcome(provider, .stream(.sending(pieces), contentType: contentType))

        #expect(!expected.text.isEmpty)
        #expect(split.text == expected.text)
        #expect(split.contentChunks == expected.contentChunks)
        #expect(split.promptTokens == expected.promptTokens)
        #expect(split.completionTokens == expected.completionTokens)
    }

    @Test(arguments: ProviderCase.all)
    func crlfLineEndingsReadTheSame(_ provider: ProviderCase) async throws {
        let contentType = provider.isNDJSON ? "application/x-ndjson" : "text/event-stream"
        let crlf = try provider.chunks().map { chunk in
            chunk.flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\r"), $0] : [$0] }
        }
        let expected = try await Self.outcome(
            provider, .stream(.sending(try provider.chunks()), contentType: contentType))
        let read = try await Self.outcome(provider, .stream(.sending(crlf), contentType: contentType))

        #expect(read.text == expected.text)
        #expect(read.completionTokens == expected.completionTokens)
    }

    @Test func megabytesOfKeepAliveCommentsBeforeTheAnswerAreReadThrough() async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == "openai" })
        // 64 KiB of 15-colon comment lines; 32 of them outrun the client's 1 MiB read buffer.
        let comments = (0..<(64 << 10)).map { $0 % 16 == 15 ? UInt8(ascii: "\n") : UInt8(ascii: ":") }
        let reply = FixtureReply.stream(
            Array(repeating: ReplyStep.send(comments), count: 32) + .sending(try provider.chunks()))
        let outcome = try await Self.outcome(provider, reply)

        #expect(outcome.text == #"{"city":"San Francisco","temperature":68,"units":"f"}"#)
        #expect(outcome.completionTokens == 14)
    }

    /// Providers whose stream has an end event (Gemini's ends with the body).
    static let withEndEvent = ProviderCase.all.filter { $0.provider != "gemini" }

    @Test(arguments: withEndEvent)
    func bodyHeldOpenAfterTheEndEventDoesNotHoldTheProbe(_ provider: ProviderCase) async throws {
        let contentType = provider.isNDJSON ? "application/x-ndjson" : "text/event-stream"
        let expected = try await Self.outcome(provider, .stream(.sending(try provider.chunks()), contentType: contentType))
        let held = FixtureReply.stream(.sending(try provider.chunks()) + [.pause(.seconds(30))], contentType: contentType)
        let started = ContinuousClock.now
        let outcome = try await Self.outcome(provider, held)

        #expect(outcome.text == expected.text)
        #expect(outcome.totalDuration < .seconds(5), "the answer ends at the end event, not at the body's end")
        #expect(ContinuousClock.now - started < .seconds(20), "the probe returned without waiting for the body's end")
    }

    /// The outcome of probing `provider`'s model with `reply`, which must succeed.
    static func outcome(_ provider: ProviderCase, _ reply: FixtureReply) async throws -> ProbeOutcome {
        try await withFixtureServer(reply) { server in
            let report = try await ProbeHarness(yaml: provider.yaml(baseURL: server.baseURL)).probe("probed")
            return try #require(report.attempts.first?.outcome)
        }
    }
}
