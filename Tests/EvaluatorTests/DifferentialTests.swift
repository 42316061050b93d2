import Foundation
import TestSupport
import Testing

@testable import Evaluator

/// Runs the same files through promtool (when installed) and through our implementation and
/// requires the same verdict; on our own fixtures, the same output too.
@Suite(.enabled(if: Fixtures.hasPromtool, "promtool is not installed"))
struct DifferentialTests {
    @Test(arguments: Fixtures.files(in: Fixtures.ruleTests, suffix: ".test.yml"))
    func ruleTestFixture(file: String) async throws {
        let theirs = try await Fixtures.runPromtool(["test", "rules", file])
        let ours = try await offPool { await RuleTestRunner.run(files: [file]) }
        #expect(ours.exitCode == theirs.exitCode)
        #expect(ours.output == theirs.output)
    }

    @Test(arguments: Fixtures.files(in: Fixtures.check, suffix: ".rules.yml"))
    func checkRulesFixture(file: String) async throws {
        let theirs = try await Fixtures.runPromtool(["check", "rules", file])
        let ours = checkRules(files: [file])
        #expect(ours.exitCode == theirs.exitCode)
        // Go reports some problems in map order; compare the lines as sets.
        #expect(Set(ours.output.split(separator: "\n")) == Set(theirs.output.split(separator: "\n")))
    }

    /// The shipped rule tests (`rules/tests/*.test.yml`) pass under promtool 2.42 and under our
    /// runner (Prometheus 3.x semantics) alike: their series are built so that no result depends
    /// on the sample at a window's left edge, which 2.x counts and 3.x does not.
    @Test(arguments: Fixtures.files(in: Fixtures.productRuleTests, suffix: ".test.yml"))
    func productRuleTests(file: String) async throws {
        let theirs = try await Fixtures.runPromtool(["test", "rules", file])
        let ours = try await offPool { await RuleTestRunner.run(files: [file]) }
        #expect(theirs.exitCode == 0, "promtool:\n\(theirs.output)")
        #expect(ours.exitCode == 0, "llmwatch:\n\(ours.output)")
    }

    @Test(
        arguments: Fixtures.files(
            in: Fixtures.productRuleTests.replacingOccurrences(of: "/rules/tests", with: "/rules"), suffix: ".yml"))
    func productRuleFiles(file: String) async throws {
        let theirs = try await Fixtures.runPromtool(["check", "rules", file])
        let ours = checkRules(files: [file])
        #expect(theirs.exitCode == 0, "promtool:\n\(theirs.output)")
        #expect(ours.exitCode == theirs.exitCode)
        #expect(ours.output == theirs.output)
    }
}
