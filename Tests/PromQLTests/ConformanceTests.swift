import Foundation
import PromQLTest
import TestSupport
import Testing

/// Locates Prometheus's promqltest files: `LLMWATCH_PROMQLTEST_DIR`, else `../shared/promqltest`
/// beside the package root.
func promqltestDirectory() -> URL {
    if let override = ProcessInfo.processInfo.environment["LLMWATCH_PROMQLTEST_DIR"] {
        return URL(fileURLWithPath: override)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/promqltest")
}

@Test func prometheusConformanceFiles() async throws {
    let directory = promqltestDirectory()
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
        $0.hasSuffix(".test")
    }
    .sorted()
    #expect(!files.isEmpty, "no .test files in \(directory.path)")
    let skipList = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/skipped.tsv")
    let paths = files.map { directory.appendingPathComponent($0).path }
    let skips = FileManager.default.fileExists(atPath: skipList.path) ? skipList : nil
    // Seconds of CPU-bound work: off the cooperative pool, so timing tests beside it keep running.
    let (summary, lines) = try await offPool {
        var lines: [String] = []
        let summary = PromQLTestRunner.run(files: paths, skipList: skips) { lines.append($0) }
        return (summary, lines)
    }
    print(lines.joined(separator: "\n"))
    #expect(summary.failed == 0, "\(summary.failures.count) failures")
    #expect(summary.staleSkips.isEmpty, "stale skips: \(summary.staleSkips)")
}
