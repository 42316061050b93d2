import Foundation

/// Paths of the fixtures and of the product's rule files, found from this source file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let check = root + "/check"
    static let ruleTests = root + "/ruletests"
    /// `/work/main/rules/tests`: the product's rule tests (read only).
    static let productRuleTests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("rules/tests").path

    static func files(in directory: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { directory + "/" + $0 }
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// The golden output next to `file`: `NAME.expected` for `NAME.rules.yml`/`NAME.test.yml`.
    static func expected(for file: String, suffix: String) -> String {
        read(String(file.dropLast(suffix.count)) + ".expected")
    }

    static let promtool = "/usr/bin/promtool"
    static var hasPromtool: Bool { FileManager.default.isExecutableFile(atPath: promtool) }

    /// Runs promtool with `arguments` on a GCD thread, so that waiting for it does not block
    /// Swift's cooperative pool (which other tests share); returns stdout and stderr interleaved
    /// and the exit code.
    static func runPromtool(_ arguments: [String]) async throws -> (output: String, exitCode: Int32) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runPromtoolBlocking(arguments) })
            }
        }
    }

    private static func runPromtoolBlocking(_ arguments: [String]) throws -> (output: String, exitCode: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }
}
