import Foundation
import Testing

@testable import Exposition

@Suite("Parser")
struct ParserTests {
    private static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }

    @Test func parsesLlamaServerPage() throws {
        let families = try ExpositionParser.parseFamilies(try Self.fixture("llama-server-metrics.txt"), format: .text004)
        #expect(families.count == 15)
        #expect(families.allSatisfy { $0.samples.count == 1 && $0.help != nil })
        let prompt = try #require(families.first)
        #expect(prompt.name == "llamacpp:prompt_tokens_total")
        #expect(prompt.type == .counter)
        #expect(prompt.help == "Number of prompt tokens processed, excluding cached tokens")
        #expect(prompt.samples == [ParsedSample(name: "llamacpp:prompt_tokens_total", value: 53)])
        let throughput = try #require(families.first { $0.name == "llamacpp:prompt_tokens_seconds" })
        #expect(throughput.type == .gauge)
        #expect(throughput.samples.first?.value == 14186.3)
    }

    @Test func parsesText004Details() throws {
        let page = """
            # A plain comment
            # HELP x Help with \\\\ and \\n and "quotes".
            # TYPE x untyped
            x{a="1",b="with \\"quote\\" \\\\ and\\nline",} 1.5 1700000000000

              x {  c = "tabbed" } -Inf\t-5
            y NaN
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 1e-3
            h_count 2
            """
        let families = try ExpositionParser.parseFamilies(Array(page.utf8), format: .text004)
        #expect(families.map(\.name) == ["x", "y", "h"])
        #expect(families[0].help == "Help with \\ and \n and \"quotes\".")
        #expect(
            families[0].samples == [
                ParsedSample(
                    name: "x", labels: [Label("a", "1"), Label("b", "with \"quote\" \\ and\nline")], value: 1.5,
                    timestampMilliseconds: 1_700_000_000_000),
                ParsedSample(name: "x", labels: [Label("c", "tabbed")], value: -.infinity, timestampMilliseconds: -5),
            ])
        #expect(families[1].samples.first?.value.isNaN == true)
        #expect(families[2].type == .histogram)
        #expect(families[2].samples.map(\.name) == ["h_bucket", "h_bucket", "h_sum", "h_count"])
        #expect(families[2].samples[1].labels == [Label("le", "+Inf")])
        #expect(families[2].samples[2].value == 0.001)
    }

    @Test func parsesOpenMetricsDetails() throws {
        let page = """
            # TYPE requests counter
            # UNIT requests requests
            # HELP requests Requests with \\"quotes\\".
            requests_total{code="200"} 3.0 1700000000.5 # {trace_id="abc"} 1.0 1700000000.1
            requests_created{code="200"} 1.6e9
            # TYPE up gauge
            up 1.0 # {} 1
            # EOF

            """
        let families = try ExpositionParser.parseFamilies(Array(page.utf8), format: .openMetrics)
        #expect(families.map(\.name) == ["requests", "up"])
        #expect(families[0].type == .counter)
        #expect(families[0].unit == "requests")
        #expect(families[0].help == "Requests with \"quotes\".")
        #expect(
            families[0].samples == [
                ParsedSample(
                    name: "requests_total", labels: [Label("code", "200")], value: 3,
                    timestampMilliseconds: 1_700_000_000_500),
                ParsedSample(name: "requests_created", labels: [Label("code", "200")], value: 1.6e9),
            ])
        #expect(families[1].samples == [ParsedSample(name: "up", value: 1)])
    }

    @Test func streamingAccessorsAndSeriesBytes() throws {
        var parser = ExpositionParser(bytes: Array("a{x=\"1\"} 2\na{x=\"1\"} 3\n".utf8), format: .text004)
        #expect(try parser.next() == .sample)
        let first = parser.bytes[parser.seriesBytes]
        #expect(String(decoding: first, as: UTF8.self) == "a{x=\"1\"}")
        #expect(parser.labelCount == 1 && parser.labelName(at: 0) == "x" && parser.labelValue(at: 0) == "1")
        #expect(parser.labelName(at: 5) == "")
        #expect(try parser.next() == .sample)
        #expect(parser.bytes[parser.seriesBytes] == first)
        #expect(parser.value == 3)
        #expect(try parser.next() == nil)
    }

    /// Each malformed line, with the line number and message the parser must report.
    static let malformed: [(format: ExpositionFormat, page: String, error: String)] = [
        (.text004, "ok 1\nbad{a=1} 2\n", "line 2: expected label value in quotes"),
        (.text004, "x{a=\"1} 2\n", "line 1: label value of \"a\" has no closing quote"),
        (.text004, "x{a\"1\"} 2\n", "line 1: expected '=' after label name \"a\""),
        (.text004, "x{1a=\"1\"} 2\n", "line 1: expected label name or '}', got \"1a=\"1\"} 2\""),
        (.text004, "x{a=\"1\" b=\"2\"} 2\n", "line 1: expected ',' or '}' after label value of \"a\""),
        (.text004, "x{a=\"1\",a=\"2\"} 2\n", "line 1: duplicate label name \"a\""),
        (.text004, "x\n", "line 1: expected a space and a value after \"x\""),
        (.text004, "x{}\n", "line 1: expected a space and a value after \"x{}\""),
        (.text004, "x abc\n", "line 1: invalid sample value \"abc\""),
        (.text004, "x nan(1)\n", "line 1: invalid sample value \"nan(1)\""),
        (.text004, "x 1 1.5\n", "line 1: invalid timestamp \"1.5\": expected integer milliseconds"),
        (.text004, "x 1 99999999999999999999\n", "line 1: invalid timestamp \"99999999999999999999\": expected integer milliseconds"),
        (.text004, "x 1 2 3\n", "line 1: unexpected text after the timestamp: \"3\""),
        (.text004, "{a=\"1\"} 2\n", "line 1: expected metric name at the start of a sample, got \"{a=\"1\"} 2\""),
        (.text004, "1x 2\n", "line 1: expected metric name at the start of a sample, got \"1x 2\""),
        (.text004, "# TYPE x countr\n", "line 1: expected counter, gauge, histogram, summary or untyped after # TYPE x, got \"countr\""),
        (.text004, "# TYPE x gauge extra\n", "line 1: expected counter, gauge, histogram, summary or untyped after # TYPE x, got \"gauge extra\""),
        (.text004, "# HELP 1x help\n", "line 1: expected metric name after # HELP"),
        (.text004, "# TYPE\tx\n", "line 1: expected counter, gauge, histogram, summary or untyped after # TYPE x, got \"\""),
        (.openMetrics, "x 1\n", "line 1: expected # EOF at the end of an OpenMetrics page"),
        (.openMetrics, "x 1\n# EOF\nx 2\n", "line 3: unexpected content after # EOF"),
        (.openMetrics, "x 1\n\n# EOF\n", "line 2: empty lines are not allowed in OpenMetrics"),
        (.openMetrics, "# comment\n# EOF\n", "line 1: expected HELP, TYPE, UNIT or EOF after #, got \"comment\""),
        (.openMetrics, "x  1\n# EOF\n", "line 1: expected a space and a value after \"x \""),
        (.openMetrics, "x{a=\"1\",} 1\n# EOF\n", "line 1: unexpected ',' before '}' in a label set"),
        (.openMetrics, "x 1 abc\n# EOF\n", "line 1: invalid timestamp \"abc\": expected seconds"),
        (.openMetrics, "x 1 1 garbage\n# EOF\n", "line 1: expected an exemplar (# {...}) or the end of the line"),
        (.openMetrics, "# TYPE x untyped\n# EOF\n", "line 1: expected counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown after # TYPE x, got \"untyped\""),
        (.openMetrics, "# EOF trailing\n", "line 1: unexpected text after # EOF"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedInput(format: ExpositionFormat, page: String, error: String) {
        #expect {
            _ = try ExpositionParser.parseFamilies(Array(page.utf8), format: format)
        } throws: { thrown in
            (thrown as? ExpositionParseError)?.description == error
        }
    }

    @Test func goesOnAfterAnError() throws {
        let page = "a 1\nb{ 2\nc 3\n# EOF\nd 4\n"
        for format in [ExpositionFormat.text004, .openMetrics] {
            var parser = ExpositionParser(bytes: Array(page.utf8), format: format)
            var names: [String] = []
            var errors: [Int] = []
            for _ in 0..<20 {
                do {
                    guard let entry = try parser.next() else { break }
                    if entry == .sample { names.append(parser.metricName()) }
                } catch {
                    errors.append(error.line)
                }
            }
            #expect(names == (format == .text004 ? ["a", "c", "d"] : ["a", "c"]))
            #expect(errors == (format == .text004 ? [2] : [2, 5]))
        }
        var missingEnd = ExpositionParser(bytes: Array("a 1\n".utf8), format: .openMetrics)
        #expect(try missingEnd.next() == .sample)
        #expect(throws: ExpositionParseError.self) { try missingEnd.next() }
        #expect(try missingEnd.next() == nil)
    }

    @Test(arguments: [ExpositionFormat.text004, .openMetrics])
    func roundTripsWriterOutput(format: ExpositionFormat) throws {
        let registry = MetricRegistry()
        let counter = registry.counter(name: "llm_tokens_total", help: "Tokens \"used\"\\n.", labelNames: ["model", "kind"])
        counter.labels("gpt-4o", "prompt").inc(1234)
        counter.labels("we\"ird\\name\n", "completion").inc(0.25)
        registry.gauge(name: "llm_up", help: "Up.", labelNames: ["model"]).labels("x").set(.nan)
        let histogram = registry.histogram(
            name: "llm_latency_seconds", help: "Latency.", labelNames: ["model"], buckets: [0.005, 0.1, 1, 10])
        for value in [0.001, 0.05, 0.5, 5, 50] { histogram.labels("gpt-4o").observe(value) }

        let families = try ExpositionParser.parseFamilies(registry.render(format), format: format)
        let familyName = format == .openMetrics ? "llm_tokens" : "llm_tokens_total"
        #expect(families.map(\.name) == [familyName, "llm_up", "llm_latency_seconds"])
        #expect(families[0].help == "Tokens \"used\"\\n.")
        #expect(
            families[0].samples == [
                ParsedSample(name: "llm_tokens_total", labels: [Label("model", "gpt-4o"), Label("kind", "prompt")], value: 1234),
                ParsedSample(
                    name: "llm_tokens_total", labels: [Label("model", "we\"ird\\name\n"), Label("kind", "completion")],
                    value: 0.25),
            ])
        #expect(families[1].samples.first?.value.isNaN == true)
        let buckets = families[2].samples.filter { $0.name == "llm_latency_seconds_bucket" }
        #expect(buckets.map(\.value) == [1, 2, 3, 4, 5])
        let expectedBounds = format == .openMetrics ? ["0.005", "0.1", "1.0", "10.0", "+Inf"] : ["0.005", "0.1", "1", "10", "+Inf"]
        #expect(buckets.map { $0.labels.last?.value } == expectedBounds)
        #expect(families[2].samples.last == ParsedSample(name: "llm_latency_seconds_count", labels: [Label("model", "gpt-4o")], value: 5))
    }

    /// The parser must be total: random edits of valid pages give entries or errors, never a
    /// trap (run in debug builds, where out-of-bounds reads trap).
    @Test func survivesMutatedInput() {
        let seeds = [
            "# HELP a h\\n\n# TYPE a counter\na_total{x=\"1\\\\\",y=\"\\\"\"} 1.5e3 17 # {t=\"1\"} 1\n# EOF\n",
            "x{a=\"b\"} +Inf -1\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\n",
        ]
        let alphabet = Array("{}\",=\\# \n\tabcxyz019.+-eEINnf_:".utf8)
        var generator = SplitMix64(seed: 42)
        for iteration in 0..<20_000 {
            var bytes = Array(seeds[iteration % seeds.count].utf8)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1 where position < bytes.count: bytes.remove(at: position)
                default: bytes.insert(byte, at: position)
                }
            }
            for format in [ExpositionFormat.text004, .openMetrics] {
                var parser = ExpositionParser(bytes: bytes, format: format)
                while true {
                    guard let entry = try? parser.next() else { break }
                    if entry == .sample { _ = parser.labels() }
                }
            }
        }
    }
}

/// A small deterministic random generator, so the mutation test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
