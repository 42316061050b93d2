import Probe
import Testing

/// Answer checks of every kind, right and wrong, on answers replayed from captured streams.
@Suite struct AnswerCheckTests {
    /// One expectation, the stream whose answer it is checked against, and the verdict.
    struct Case: Sendable, CustomTestStringConvertible {
        /// The `expect:` mapping, in YAML flow style.
        var expect: String
        /// The provider and its fixture; see ``ProviderCase/all``.
        var provider: String
        /// Whether the answer should pass.
        var correct: Bool

        var testDescription: String { "\(expect) on \(provider): \(correct)" }
    }

    static let cases: [Case] = [
        // Anthropic's answer is "Hello there!".
        Case(expect: #"{exact: "Hello there!"}"#, provider: "anthropic", correct: true),
        Case(expect: #"{exact: "hello THERE!"}"#, provider: "anthropic", correct: true),
        Case(expect: #"{exact: "hello there!", case_sensitive: true}"#, provider: "anthropic", correct: false),
        Case(expect: #"{exact: "Hello"}"#, provider: "anthropic", correct: false),
        Case(expect: #"{contains: "there"}"#, provider: "anthropic", correct: true),
        Case(expect: #"{contains: "bye"}"#, provider: "anthropic", correct: false),
        Case(expect: #"{regex: "^Hello\\s+there!$"}"#, provider: "anthropic", correct: true),
        Case(expect: #"{regex: "\\d+"}"#, provider: "anthropic", correct: false),
        // OpenAI's answer is {"city":"San Francisco","temperature":68,"units":"f"}.
        Case(expect: "{json_field: city, equals: San Francisco}", provider: "openai", correct: true),
        Case(expect: #"{json_field: temperature, equals: "68.0"}"#, provider: "openai", correct: true),
        Case(expect: "{json_field: units, equals: c}", provider: "openai", correct: false),
        Case(expect: "{json_field: country, equals: US}", provider: "openai", correct: false),
    ]

    @Test(arguments: cases)
    func expectationIsCheckedAndRecorded(_ check: Case) async throws {
        let provider = try #require(ProviderCase.all.first { $0.provider == check.provider })
        let events = try provider.chunks()
        try await withFixtureServer(.stream(.sending(events))) { server in
            let yaml =
                provider.yaml(baseURL: server.baseURL) + """

                        prompts:
                          - name: check
                            prompt: "Answer."
                            expect: \(check.expect)
                    """
            let harness = try ProbeHarness(yaml: yaml)
            let report = try await harness.probe("probed")

            #expect(report.attempts.first?.correct == check.correct)
            let series = ["model": "probed", "provider": check.provider, "prompt": "check"]
            let verdict = check.correct ? "correct" : "incorrect"
            #expect(try harness.sample("llm_answer_checks_total", series.merging(["result": verdict]) { $1 }) == 1)
            #expect(try harness.sample("llm_answer_correct", series) == (check.correct ? 1 : 0))
        }
    }
}
