import NIOPosix
import Probe
import Testing

/// The probe's clocks against a server that injects known delays: the time to first token and
/// the time per output token must match what the server actually waited.
///
/// The server and the probe's client share one event loop of their own, so the rest of the
/// test run, busy on the shared loops and the cooperative pool, delays neither end's stamps.
@Suite struct TimingTests {
    /// The delay before the first content token.
    static let firstTokenDelay = Duration.milliseconds(150)
    /// The delay between content tokens.
    static let interTokenDelay = Duration.milliseconds(20)
    /// Content tokens sent per run.
    static let tokens = 11
    /// Runs whose median error is judged, so one run slowed by a busy machine cannot fail it.
    static let runs = 7
    /// Rounds of `runs` tried before failing. The suite shares two cores with CPU-heavy tests,
    /// and the kernel can leave the loop's thread off the CPU for milliseconds; a systematic
    /// error in the probe's clocks fails every round, a loaded machine rarely fails three.
    static let rounds = 3

    @Test func timeToFirstTokenAndPerTokenMatchTheServersDelays() async throws {
        let events = try Fixture.events("llama-cpp-python-stream.sse")
        let content = Array(events[1...Self.tokens])
        var steps: [ReplyStep] = [.send(events[0]), .pause(Self.firstTokenDelay)]
        for (index, token) in content.enumerated() {
            if index > 0 { steps.append(.pause(Self.interTokenDelay)) }
            steps.append(.send(token))
        }
        steps += [.send(events[events.count - 2]), .send(events[events.count - 1])]
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await measure(steps, on: group)
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    /// Probes the paced server `runs` times and judges the median errors.
    func measure(_ steps: [ReplyStep], on group: MultiThreadedEventLoopGroup) async throws {
        try await PacedStreamServer.run(steps, on: group) { server in
            let harness = try ProbeHarness(
                yaml: OpenAIProviderTests.yaml(endpoint: server.baseURL, extra: "    include_usage: false"),
                environment: ["TEST_KEY": "k"])
            var firstTokenErrors: [Double] = []
            var perTokenErrors: [Double] = []
            var run = 0
            for round in 1...Self.rounds {
                firstTokenErrors = []
                perTokenErrors = []
                for _ in 0..<Self.runs {
                    let report = try await harness.probe("llama", on: group)
                    let outcome = try #require(report.attempts.first?.outcome)
                    #expect(outcome.contentChunks == Self.tokens)
                    let timeline = server.timelines[run]
                    run += 1
                    let serverFirstToken = timeline.sentAt[1] - timeline.receivedAt
                    let serverPerToken = (timeline.sentAt[Self.tokens] - timeline.sentAt[1]) / (Self.tokens - 1)
                    #expect(serverFirstToken >= Self.firstTokenDelay)
                    let firstToken = try #require(outcome.timeToFirstToken)
                    let perToken = try #require(outcome.timePerOutputToken)
                    firstTokenErrors.append((firstToken - serverFirstToken).seconds * 1000)
                    perTokenErrors.append((perToken - serverPerToken).seconds * 1000)
                }
                print(
                    "TimingTests: round \(round), median error over \(Self.runs) runs: "
                        + "TTFT \(Self.median(firstTokenErrors)) ms, TPOT \(Self.median(perTokenErrors)) ms")
                if abs(Self.median(firstTokenErrors)) < 2 && abs(Self.median(perTokenErrors)) < 2 { break }
            }
            #expect(abs(Self.median(firstTokenErrors)) < 2, "TTFT errors (ms): \(firstTokenErrors)")
            #expect(abs(Self.median(perTokenErrors)) < 2, "TPOT errors (ms): \(perTokenErrors)")
            let check = ["model": "llama", "provider": "openai_compatible", "operation": "probe"]
            #expect(try harness.sample("llm_time_to_first_token_seconds_count", check) == Double(run))
            #expect(try harness.sample("llm_time_per_output_token_seconds_count", check) == Double(run))
        }
    }

    /// The middle value (the mean of the two middle values for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
