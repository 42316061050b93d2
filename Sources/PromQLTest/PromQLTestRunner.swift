import Foundation
import PromQL
import Series

/// One eval that did not give Prometheus's answer.
public struct PromQLTestFailure: Sendable, CustomStringConvertible {
    /// The test file's name.
    public var file: String
    /// The 1-based line of the eval command.
    public var line: Int
    /// The query.
    public var expr: String
    /// What was expected and what was got.
    public var message: String

    /// `file:line: expr: message`.
    public var description: String { "\(file):\(line): \(expr): \(message)" }
}

/// The outcome of running promqltest files.
public struct PromQLTestSummary: Sendable {
    /// Evals that gave the expected result.
    public var passed = 0
    /// Evals that did not.
    public var failed = 0
    /// Evals named in the skip list.
    public var skipped = 0
    /// Every failure, in file order.
    public var failures: [PromQLTestFailure] = []
    /// Skip-list entries naming no eval, or naming an eval that now passes (unless skipped as a class).
    public var staleSkips: [String] = []

    /// The closing line: `N passed, N failed, N skipped`.
    public var closingLine: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
}

/// Runs Prometheus's promqltest files (v3.5 format) against `PromQLEngine` on an in-memory store.
///
/// Like Prometheus's harness, each instant eval is also run as a range query around its time, and
/// again with `@ <time>` pinned on its selectors at other evaluation times.
public enum PromQLTestRunner {
    /// The skip-list reason that marks a skip of the native-histogram class; such entries are not
    /// reported stale when they happen to pass.
    public static let nativeHistogramReason = "native histograms not supported"

    /// Runs `files` (paths), skipping the evals named in the TSV `skipList` (file, line, reason),
    /// and reports each failure and the closing line through `output`.
    public static func run(files: [String], skipList: URL?, output: (String) -> Void)
        -> PromQLTestSummary
    {
        var summary = PromQLTestSummary()
        var skips: [String: [Int: String]] = [:]
        if let skipList {
            do {
                skips = try SkipList.load(skipList)
            } catch {
                output("cannot read skip list \(skipList.path): \(error)")
                summary.failed += 1
                return summary
            }
        }
        var usedSkips = Set<String>()
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                output("\(path): cannot read: \(error)")
                summary.failed += 1
                continue
            }
            let commands: [TestCommand]
            do {
                commands = try TestScript.parse(text)
            } catch {
                output("\(name): \(error)")
                summary.failed += 1
                continue
            }
            var source = MemorySeriesSource()
            for command in commands {
                switch command {
                case .clear:
                    source = MemorySeriesSource()
                case .load(let step, let series):
                    for (labels, values) in series {
                        var samples: [Sample] = []
                        var histograms: [Int64] = []
                        for (i, value) in values.enumerated() {
                            let t = Int64(i) * step
                            switch value {
                            case .value(let v): samples.append(Sample(timestamp: t, value: v))
                            case .histogram: histograms.append(t)
                            case .omitted: break
                            }
                        }
                        source.append(labels: labels, samples: samples, histogramTimestamps: histograms)
                    }
                case .eval(let eval):
                    let failure = EvalExecution(command: eval, source: source).run()
                    if let reason = skips[name]?[eval.line] {
                        usedSkips.insert("\(name):\(eval.line)")
                        summary.skipped += 1
                        if failure == nil && reason != nativeHistogramReason {
                            summary.staleSkips.append("\(name):\(eval.line) passes but is skipped (\(reason))")
                        }
                    } else if let failure {
                        summary.failed += 1
                        let record = PromQLTestFailure(
                            file: name, line: eval.line, expr: eval.expr, message: failure)
                        summary.failures.append(record)
                        output(record.description)
                    } else {
                        summary.passed += 1
                    }
                }
            }
        }
        let names = Set(files.map { URL(fileURLWithPath: $0).lastPathComponent })
        for (file, lines) in skips where names.contains(file) {
            for line in lines.keys.sorted() where !usedSkips.contains("\(file):\(line)") {
                summary.staleSkips.append("\(file):\(line) names no eval")
            }
        }
        for stale in summary.staleSkips { output("stale skip: \(stale)") }
        output(summary.closingLine)
        return summary
    }
}

/// Reads the skip list: tab-separated `file`, `line`, `reason`; `#` starts a comment line.
enum SkipList {
    static func load(_ url: URL) throws -> [String: [Int: String]] {
        var out: [String: [Int: String]] = [:]
        for raw in try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.components(separatedBy: "\t")
            guard fields.count >= 3, let number = Int(fields[1]) else { continue }
            out[fields[0], default: [:]][number] = fields[2]
        }
        return out
    }
}
