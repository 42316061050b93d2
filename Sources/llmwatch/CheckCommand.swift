import ArgumentParser
import Evaluator
import Foundation
import Probe
import PrometheusConfig

/// `llmwatch check`: validates files the way `promtool check` does.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files for errors.",
        subcommands: [CheckConfig.self, CheckRules.self]
    )
}

/// `llmwatch check config FILE...`: checks probe configurations and `prometheus.yml` files (told
/// apart by their top-level keys), reporting the first error of each with file:line:col; a
/// `prometheus.yml` is checked as `promtool check config` checks it, rule files included. Exits 1
/// when any file is invalid.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check probe configurations and prometheus.yml files.")

    @Argument(help: "Configuration files to check.")
    var files: [String]

    func run() async throws {
        var failed = false
        for file in files {
            print("Checking \(file)")
            if Self.isProbeConfiguration(path: file) {
                do {
                    let config = try ProbeConfigLoader().load(path: file)
                    print("  SUCCESS: \(config.models.count) models found")
                } catch {
                    print("  FAILED: \(error)")
                    failed = true
                }
                continue
            }
            do {
                let (_, report) = try PrometheusConfigLoader().check(path: file)
                for warning in report.warnings { print("  WARNING: \(warning)") }
                print("  SUCCESS: \(report.ruleFiles.count) rule files found")
                print(" SUCCESS: \(file) is valid prometheus config file syntax\n")
                let rules = Evaluator.checkRules(files: report.ruleFiles)
                print(rules.output, terminator: "")
                if rules.exitCode != 0 { failed = true }
            } catch {
                print("  FAILED: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// A probe configuration has `models:` or `monitoring:` at the top level; anything else is
    /// read as a `prometheus.yml` (whose loader then names what it does not know).
    static func isProbeConfiguration(path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return true }
        return text.split(separator: "\n").contains { $0.hasPrefix("models:") || $0.hasPrefix("monitoring:") }
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
