import ArgumentParser
import Evaluator
import Probe

/// `llmwatch check`: validates files the way `promtool check` does.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files for errors.",
        subcommands: [CheckConfig.self, CheckRules.self]
    )
}

/// `llmwatch check config FILE...`: loads each probe configuration and reports the first error
/// of each with file:line:col; exits 1 when any file is invalid.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Check probe configuration files.")

    @Argument(help: "Configuration files to check.")
    var files: [String]

    func run() async throws {
        var failed = false
        for file in files {
            print("Checking \(file)")
            do {
                let config = try ProbeConfigLoader().load(path: file)
                print("  SUCCESS: \(config.models.count) models found")
            } catch {
                print("  FAILED: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `llmwatch check rules FILE...`: checks Prometheus rule files with the same outcomes, messages
/// (file:line:col) and exit codes as `promtool check rules`.
struct CheckRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check rule files, as promtool check rules does.")

    @Option(help: "Linting checks: duplicate-rules, all or none.")
    var lint: String = RuleLint.duplicateRules.rawValue

    @Flag(name: .customLong("lint-fatal"), help: "Make lint findings exit with status 3.")
    var lintFatal = false

    @Argument(help: "Rule files to check.")
    var files: [String]

    func validate() throws {
        guard RuleLint(rawValue: lint) != nil else {
            throw ValidationError("--lint must be duplicate-rules, all or none, not \"\(lint)\"")
        }
    }

    func run() async throws {
        let result = Evaluator.checkRules(files: files, lint: RuleLint(rawValue: lint) ?? .duplicateRules, lintFatal: lintFatal)
        print(result.output, terminator: "")
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
