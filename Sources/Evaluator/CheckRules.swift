import Foundation
import Series

/// The lint checks `check rules` applies beyond validation (promtool's `--lint`).
public enum RuleLint: String, Sendable, CaseIterable {
    /// No linting.
    case none
    /// Rules with the same name and labels (promtool's default).
    case duplicateRules = "duplicate-rules"
    /// Every check.
    case all
}

/// `llmwatch check rules FILE...`: checks each rule file as `promtool check rules` does and
/// returns what promtool prints (stdout and stderr in the order they appear on a terminal) and
/// its exit code: 0 when every file is valid, 1 when any is invalid, 3 when the only problems
/// are lint findings and `lintFatal` is set.
///
/// For each file: `Checking FILE`, then `  SUCCESS: N rules found` or `  FAILED:` followed by
/// one line per problem, then an empty line.
public func checkRules(files: [String], lint: RuleLint = .duplicateRules, lintFatal: Bool = false)
    -> (output: String, exitCode: Int32)
{
    if let missing = missingPathError(files) { return (missing, 1) }
    var output = ""
    var invalid = false
    var linted = false
    for file in files {
        output += "Checking \(file)\n"
        do {
            let groups = try RuleFileLoader.load(path: file)
            let duplicates = lint == .none ? [] : duplicateRules(groups)
            if duplicates.isEmpty {
                let count = groups.reduce(0) { $0 + $1.rules.count }
                output += "  SUCCESS: \(count) rules found\n"
            } else {
                linted = true
                output += "  FAILED:\nlint error \(duplicates.count) duplicate rule(s) found.\n"
                for duplicate in duplicates {
                    output += "Metric: \(duplicate.name)\nLabel(s):\n"
                    for label in duplicate.labels { output += "\t\(label.name): \(label.value)\n" }
                }
                output += "Might cause inconsistency while recording expressions\n"
            }
        } catch {
            invalid = true
            output += "  FAILED:\n"
            for message in error.messages { output += message + "\n" }
        }
        output += "\n"
    }
    if invalid { return (output, 1) }
    return (output, linted && lintFatal ? 3 : 0)
}

/// promtool's `checkDuplicates`: rules sharing a record/alert name and labels, each reported
/// once, in name then label order.
func duplicateRules(_ groups: [RuleGroup]) -> [(name: String, labels: [Label])] {
    var rules: [(name: String, labels: [Label])] = []
    for group in groups {
        for rule in group.rules {
            var byName: [String: String] = [:]
            for label in rule.labels { byName[label.name] = label.value }
            rules.append((rule.name, byName.map { Label(name: $0.key, value: $0.value) }.sorted()))
        }
    }
    func compare(_ a: (name: String, labels: [Label]), _ b: (name: String, labels: [Label])) -> Int {
        if a.name != b.name { return a.name < b.name ? -1 : 1 }
        return RuleTestGroupRun.compare(a.labels, b.labels)
    }
    guard rules.count >= 2 else { return [] }
    rules.sort { compare($0, $1) < 0 }
    var duplicates: [(name: String, labels: [Label])] = []
    for i in 1..<rules.count where compare(rules[i - 1], rules[i]) == 0 {
        if let last = duplicates.last, compare(last, rules[i]) == 0 { continue }
        duplicates.append(rules[i])
    }
    return duplicates
}

/// promtool refuses paths that do not exist before doing anything (its flag parser's
/// `ExistingFiles`): `promtool: error: path 'x.yml' does not exist, try --help`. We print the
/// same with our program's name.
func missingPathError(_ files: [String]) -> String? {
    for file in files where !FileManager.default.fileExists(atPath: file) {
        return "llmwatch: error: path '\(file)' does not exist, try --help\n"
    }
    return nil
}
