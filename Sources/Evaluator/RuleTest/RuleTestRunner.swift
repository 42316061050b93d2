import Config
import Foundation
import PromQL
import Series

/// `llmwatch test rules FILE...`: runs promtool rule unit test files (`rule_files`,
/// `evaluation_interval`, `group_eval_order`, `tests` of `input_series`, `alert_rule_test` and
/// `promql_expr_test`) with the same outcomes and messages as `promtool test rules`.
public enum RuleTestRunner {
    /// Runs every file; returns what promtool prints (stdout and stderr in terminal order) and
    /// its exit code: 0 when all tests pass, 1 otherwise.
    public static func run(files: [String]) async -> (output: String, exitCode: Int32) {
        if let missing = missingPathError(files) { return (missing, 1) }
        var output = ""
        var failed = false
        for file in files {
            output += "Unit Testing:  \(file)\n"
            var (warnings, errors) = await runFile(file)
            output += warnings.joined()
            if errors.isEmpty {
                output += "  SUCCESS\n"
            } else {
                failed = true
                output += "  FAILED:\n"
                for error in errors { output += error + "\n\n" }
            }
            output += "\n"
            warnings.removeAll()
        }
        return (output, failed ? 1 : 0)
    }

    /// Runs one file; returns warnings printed before the verdict and the failures.
    static func runFile(_ path: String) async -> (warnings: [String], errors: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([], ["open \(path): no such file or directory"])
        }
        let file: RuleTestFile
        do {
            let root = try ConfigLoader.parse(String(decoding: data, as: UTF8.self), file: path, environment: [:])
            file = try RuleTestFile.decode(root)
        } catch let error as ConfigError {
            return ([], [RuleFileLoader.yamlSyntaxMessage(error, version2: true, typeOfKey: RuleTestFile.goType)])
        } catch {
            return ([], ["\(error)"])
        }
        var warnings: [String] = []
        let ruleFiles = resolve(
            file.ruleFiles, relativeTo: (path as NSString).deletingLastPathComponent, warnings: &warnings)
        let evaluationInterval = file.evaluationInterval.flatMap { $0 == 0 ? nil : $0 } ?? 60_000
        var order: [String: Int] = [:]
        for (index, name) in file.groupEvalOrder.enumerated() {
            if order[name] != nil {
                return (warnings, ["group name repeated in evaluation order: \(name)"])
            }
            order[name] = index
        }
        var errors: [String] = []
        for var test in file.tests {
            if test.interval == nil || test.interval == 0 { test.interval = file.evaluationInterval ?? 60_000 }
            let run = RuleTestGroupRun(
                test: test, evaluationInterval: evaluationInterval, groupOrder: order, ruleFiles: ruleFiles)
            errors += await run.run()
        }
        return (warnings, errors)
    }

    /// Resolves rule file paths against the test file's directory and expands globs.
    static func resolve(_ patterns: [String], relativeTo directory: String, warnings: inout [String]) -> [String] {
        var files: [String] = []
        for pattern in patterns {
            var full = pattern
            if !pattern.isEmpty && !pattern.hasPrefix("/") {
                full = directory.isEmpty ? pattern : (directory as NSString).appendingPathComponent(pattern)
            }
            full = cleanPath(full)
            let matches = glob(full)
            if matches.isEmpty { warnings.append("  WARNING: no file match pattern \(full)\n") }
            files += matches
        }
        return files
    }

    /// Go's `filepath.Clean`: lexical, without resolving symbolic links.
    static func cleanPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == ".." && absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Foundation.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths.sorted()
    }
}
