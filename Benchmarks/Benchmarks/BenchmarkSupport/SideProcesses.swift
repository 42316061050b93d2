import Foundation

/// The llmwatch binary a benchmark runs: `--llmwatch PATH`, by default the root package's release
/// build. Exits 2 with how to build it when it is not there.
public func llmwatchBinaryOption() -> String {
    let binary = option("--llmwatch") ?? "../.build/release/llmwatch"
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        say("no llmwatch at \(binary): build it with `swift build -c release --product llmwatch` at the root")
        exit(2)
    }
    return binary
}

/// The benchmark's work directory, created: `--workdir DIR`, or a new one named `prefix-<UUID>`
/// under the temporary directory.
public func makeWorkDirectory(prefix: String) throws -> URL {
    let work = URL(fileURLWithPath: option("--workdir") ?? NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    return work
}

extension ServerProcess {
    /// Starts Debian's Prometheus on a free port of 127.0.0.1 with `config`, its TSDB in `data`
    /// and its log in `directory/prometheus.log`, `arguments` added.
    public static func prometheus(config: URL, data: String, logIn directory: URL, arguments: [String] = ["--log.level=warn"])
        throws -> ServerProcess
    {
        let port = try freePort()
        return try ServerProcess(
            name: "prometheus", executable: "/usr/bin/prometheus",
            arguments: ["--config.file=\(config.path)", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:\(port)"]
                + arguments,
            port: port, log: directory.appendingPathComponent("prometheus.log"))
    }

    /// Starts `binary evaluate` on a free port of 127.0.0.1 with its store in `storage` and its
    /// log in `directory/llmwatch.log`, `arguments` added.
    public static func llmwatchEvaluate(
        _ binary: String, storage: String, logIn directory: URL, arguments: [String] = ["--log.level", "warn"]
    ) throws -> ServerProcess {
        let port = try freePort()
        return try ServerProcess(
            name: "llmwatch", executable: binary,
            arguments: ["evaluate", "--storage.path", storage, "--web.listen-address", "127.0.0.1:\(port)"] + arguments,
            port: port, log: directory.appendingPathComponent("llmwatch.log"))
    }
}
