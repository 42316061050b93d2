import ArgumentParser

/// The `llmwatch` command: one binary, several roles, each started as its own process.
@main
struct LLMWatch: AsyncParsableCommand {
    /// The version reported by `llmwatch --version` and `llmwatch_build_info`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "llmwatch",
        abstract: "Probe LLMs and model endpoints and serve their health as Prometheus metrics.",
        version: version,
        subcommands: [
            RunCommand.self, ProbeCommand.self, EvaluateCommand.self, QueryCommand.self, CheckCommand.self, TestCommand.self,
            SLOCommand.self, ReportCommand.self, TSDBCommand.self,
        ]
    )
}

/// Options every serving role shares, spelled as Prometheus spells them.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("config.file"), help: "Configuration file (default: the embedded simulated models).")
    var configFile: String?

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on, host:port or :port.")
    var listenAddress: String = ":9478"

    @Option(name: .customLong("log.level"), help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var logLevel: String = "info"

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt or json.")
    var logFormat: String = "logfmt"

    mutating func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log.format must be logfmt or json, not \"\(logFormat)\"")
        }
        guard Logger.Level(prometheusName: logLevel) != nil else {
            throw ValidationError("--log.level must be debug, info, warn or error, not \"\(logLevel)\"")
        }
        _ = try ListenAddress(listenAddress)
    }
}

import Logging

/// A parsed `--web.listen-address`.
struct ListenAddress {
    var host: String
    var port: Int

    /// Parses `host:port`, `:port` (all interfaces) or `[v6]:port`.
    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--web.listen-address must be host:port or :port, not \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}
