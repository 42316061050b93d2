import Foundation
import PromQLTest
import Testing

/// Writes `text` to a temporary `.test` file and runs it through the harness.
private func runScript(_ text: String, skipList: String? = nil) async throws -> (
    PromQLTestSummary, [String]
) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "promqltest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("script.test")
    try text.write(to: file, atomically: true, encoding: .utf8)
    var skipURL: URL?
    if let skipList {
        skipURL = directory.appendingPathComponent("skipped.tsv")
        try skipList.write(to: skipURL!, atomically: true, encoding: .utf8)
    }
    var lines: [String] = []
    let summary = PromQLTestRunner.run(files: [file.path], skipList: skipURL) {
        lines.append($0)
    }
    return (summary, lines)
}

private let script = """
    load 5m
        http_requests{job="api"} 0+10x10 _x3 stale
        other 1+1x10

    eval instant at 50m http_requests
        http_requests{job="api"} 100

    eval instant at 50m http_requests
        http_requests{job="api"} 101

    eval range from 0 to 10m step 5m http_requests
        http_requests{job="api"} 0 10 20

    eval_fail instant at 0m http_requests + on() group_left other{}[5m]

    eval instant at 0m 1 + 1
        2

    eval_ordered instant at 50m sort_desc(http_requests or other)
        http_requests{job="api"} 100
        other 11

    eval_ordered instant at 50m sort(http_requests or other)
        http_requests{job="api"} 100
        other 11
    """

@Test func harnessCountsAndReportsFailures() async throws {
    let (summary, lines) = try await runScript(script)
    #expect(summary.passed == 5)
    #expect(summary.failed == 2)
    #expect(summary.closingLine == "5 passed, 2 failed, 0 skipped")
    #expect(lines.last == "5 passed, 2 failed, 0 skipped")
    #expect(summary.failures.map(\.line) == [8, 23])
    #expect(summary.failures[0].message.contains("expected 101"))
    #expect(summary.failures[1].message.contains("position"))
}

@Test func harnessSkipsListedEvalsAndFindsStaleEntries() async throws {
    let skips =
        "file\tline\treason\nscript.test\t8\tknown difference\nscript.test\t5\tpasses anyway\nscript.test\t99\tgone\n"
    let (summary, _) = try await runScript(script, skipList: skips)
    #expect(summary.skipped == 2)
    #expect(summary.failed == 1)
    #expect(summary.passed == 4)
    #expect(
        summary.staleSkips.sorted() == [
            "script.test:5 passes but is skipped (passes anyway)", "script.test:99 names no eval",
        ])
}
