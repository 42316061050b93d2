import ArgumentParser

/// `llmwatch test`: runs test files, like `promtool test`.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run test files.",
        subcommands: []
    )
}
