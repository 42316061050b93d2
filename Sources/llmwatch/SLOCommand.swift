import ArgumentParser
import Config
import Evaluator
import Foundation
import SLO

/// `llmwatch slo`: SLO tools.
struct SLOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo", abstract: "Service level objective tools.", subcommands: [SLOGenerate.self])
}

/// `llmwatch slo generate SPEC`: writes the recording and multi-window multi-burn-rate alerting
/// rules for a Sloth `prometheus/v1` spec or an `slo-config.yaml`, as Sloth's `generate` does.
struct SLOGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate Prometheus rules from an SLO spec.")

    @Option(name: [.customShort("o"), .customLong("out")], help: "Write the rules here instead of standard output.")
    var output: String?

    @Option(name: .customLong("default-slo-period"), help: "The period of SLOs that set none (30d, 28d or 7d).")
    var defaultPeriod: String = "30d"

    @Option(help: "The service of slo-config files that name none.")
    var service: String = "llmwatch"

    @Option(name: [.customShort("l"), .customLong("extra-labels")], help: "A label NAME=VALUE added to every rule (repeatable).")
    var extraLabels: [String] = []

    @Argument(help: "The SLO spec file.")
    var spec: String

    func run() async throws {
        let period: PromDuration
        do {
            period = try PromDuration.parse(defaultPeriod)
        } catch {
            throw ValidationError("--default-slo-period: \(error)")
        }
        do {
            var file = try SLOSpecFile.load(path: spec, defaultPeriod: period.milliseconds, service: service)
            for label in extraLabels {
                guard let equals = label.firstIndex(of: "="), equals != label.startIndex else {
                    throw ValidationError("--extra-labels takes NAME=VALUE, not \"\(label)\"")
                }
                file.service.labels[String(label[..<equals])] = String(label[label.index(after: equals)...])
            }
            for warning in file.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            let rules = try SLORuleGenerator(generator: "llmwatch \(LLMWatch.version)").ruleFile(file.service)
            // The output must load as a rule file; a failure here is our bug, said as such.
            _ = try RuleFileLoader.parse(rules, file: output ?? "<generated>")
            if let output {
                try rules.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                print(rules, terminator: "")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
