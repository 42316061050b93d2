import ArgumentParser
import Evaluator
import Foundation
import PromQLTest

/// `llmwatch test`: runs test files, like `promtool test`.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run test files.",
        subcommands: [TestPromQL.self, TestRules.self]
    )
}

/// `llmwatch test promql FILE...`: runs files in Prometheus's promqltest language against the
/// engine on an in-memory store; prints each failure with file:line, expected and got, and ends
/// with `N passed, N failed, N skipped`. Exits 1 when any eval failed.
struct TestPromQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promql", abstract: "Run PromQL test files (Prometheus's promqltest format).")

    @Option(name: .customLong("skip-list"), help: "A TSV of file, line, reason naming evals to skip.")
    var skipList: String?

    @Argument(help: "Test files.")
    var files: [String]

    func run() async throws {
        let summary = PromQLTestRunner.run(
            files: files, skipList: skipList.map { URL(fileURLWithPath: $0) }, output: { print($0) })
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

/// `llmwatch test rules FILE...`: runs promtool's rule unit test files with the same outcomes,
/// messages and exit codes as `promtool test rules`.
struct TestRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Run rule unit test files, as promtool test rules does.")

    @Argument(help: "Rule test files.")
    var files: [String]

    func run() async throws {
        let result = await RuleTestRunner.run(files: files)
        print(result.output, terminator: "")
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
