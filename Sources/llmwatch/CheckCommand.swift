import ArgumentParser
import Probe

/// `llmwatch check`: validates files the way `promtool check` does.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files for errors.",
        subcommands: [CheckConfig.self]
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
