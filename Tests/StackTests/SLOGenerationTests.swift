import Foundation
import TestSupport
import Testing

/// The committed SLO rule files are exactly what `llmwatch slo generate` writes from their specs
/// in rules/slo/ (scripts/generate-slo-rules.sh regenerates them after a spec changes).
struct SLOGenerationTests {
    @Test func committedRulesAreWhatTheGeneratorWrites() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["LLMWATCH"] = try Programs.llmwatch
        environment["OUT_DIR"] = directory.path
        let result = try await runProgram(
            "/bin/bash", [ShippedFiles.path("scripts/generate-slo-rules.sh")], environment: environment,
            workingDirectory: ShippedFiles.root)
        #expect(result.status == 0, "\(result.output)")
        for (spec, rules) in ShippedFiles.generatedSLORules {
            let name = (rules as NSString).lastPathComponent
            let generated = try Data(contentsOf: directory.appendingPathComponent(name))
            let committed = try Data(contentsOf: URL(fileURLWithPath: ShippedFiles.path(rules)))
            #expect(
                generated == committed,
                "\(rules) differs from what `llmwatch slo generate \(spec)` writes: run scripts/generate-slo-rules.sh and commit the result"
            )
        }
    }

    /// Seed 004's error_rate_slo writes `error_budget: 0.99` beside `target: 0.01`; the loader
    /// uses 0.01 and says so, naming the line.
    @Test func seedErrorBudgetIsCorrectedWithAWarning() async throws {
        let spec = "rules/slo/slo-config.yaml"
        let lines = try ShippedFiles.read(spec).components(separatedBy: "\n")
        let line = try #require(
            lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("error_budget: 0.99") })
        let column = try #require(lines[line].range(of: "0.99")).lowerBound.utf16Offset(in: lines[line]) + 1
        let result = try await runProgram(
            try Programs.llmwatch, ["slo", "generate", spec], workingDirectory: ShippedFiles.root)
        #expect(result.status == 0)
        #expect(
            result.output.contains(
                "warning: \(spec):\(line + 1):\(column): error_budget 0.99 of SLO \"error_rate_slo\" disagrees with its target 0.01"
            ), "\(result.output.prefix(500))")
        #expect(result.output.contains("vector(0.01)"))
    }
}
