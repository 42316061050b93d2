import Foundation
import TestSupport

/// Paths of the fixtures and of the product's rule files, found from this source file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let check = root + "/check"
    static let ruleTests = root + "/ruletests"
    /// The repository's `rules/tests`: the shipped rule tests (read only).
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

    /// Runs promtool with `arguments` off the cooperative pool; returns stdout and stderr
    /// interleaved and the exit code.
    static func runPromtool(_ arguments: [String]) async throws -> (output: String, exitCode: Int32) {
        let result = try await runProgram(promtool, arguments)
        return (result.output, result.status)
    }
}
