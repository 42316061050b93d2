import Foundation
import TestSupport
import Testing

@testable import Evaluator

/// `test rules` against promtool 2.42's recorded output for each fixture under
/// `Fixtures/ruletests` (`NAME.test.yml` and `NAME.expected`, paths as `@DIR@`).
@Suite struct RuleTestRunnerTests {
    static let files = Fixtures.files(in: Fixtures.ruleTests, suffix: ".test.yml")

    static func expected(_ file: String) -> String {
        Fixtures.expected(for: file, suffix: ".test.yml")
            .replacingOccurrences(of: "@DIR@/..", with: Fixtures.root)
            .replacingOccurrences(of: "@DIR@", with: Fixtures.ruleTests)
    }

    @Test(arguments: files)
    func matchesPromtoolOutput(file: String) async throws {
        let result = try await offPool { await RuleTestRunner.run(files: [file]) }
        #expect(result.output + "exit \(result.exitCode)\n" == Self.expected(file))
    }

    @Test func passingAndFailingFixturesBothExist() {
        let verdicts = Self.files.map { Self.expected($0).hasSuffix("exit 0\n") }
        #expect(verdicts.contains(true))
        #expect(verdicts.contains(false))
    }

    @Test func exitCodeIsOneWhenAnyFileFails() async throws {
        let pass = Fixtures.ruleTests + "/state.test.yml"
        let fail = Fixtures.ruleTests + "/fail_collision.test.yml"
        #expect(try await offPool { await RuleTestRunner.run(files: [pass]) }.exitCode == 0)
        #expect(try await offPool { await RuleTestRunner.run(files: [pass, fail]) }.exitCode == 1)
    }

    @Test(arguments: [
        ("1+1x3", [1.0, 2, 3, 4]), ("1x2", [1.0, 1, 1]), ("5-2x2", [5.0, 3, 1]), ("_ 1 _x2 2", [1.0, 2]),
        ("1e3 -2 +3", [1000.0, -2, 3]),
    ])
    func inputSeriesNotation(text: String, values: [Double]) throws {
        #expect(try InputSeries.samples(text, interval: 60_000).map(\.value) == values)
    }

    @Test func inputSeriesTimestampsSkipOmittedPoints() throws {
        let samples = try InputSeries.samples("1 _ 3 stale", interval: 30_000)
        #expect(samples.map(\.timestamp) == [0, 60_000, 90_000])
        #expect(samples[2].isStaleMarker)
    }

    @Test(
        arguments: [(0, "0s"), (60_000, "1m0s"), (90_500, "1m30.5s"), (3_723_000, "1h2m3s"), (250, "250ms")]
            as [(Int64, String)])
    func goDurations(ms: Int64, text: String) {
        #expect(GoDurationText.goString(ms) == text)
    }

    @Test(arguments: [
        (1.0, "1E+00"), (0.1, "1E-01"), (1.6e2, "1.6E+02"), (-2.5e-7, "-2.5E-07"), (.nan, "NaN"), (.infinity, "+Inf"),
    ])
    func exponentForm(value: Double, text: String) {
        #expect(goExponentForm(value) == text)
    }
}
