import Config
import Foundation
import Testing
import TestSupport

@testable import PrometheusConfig

/// For a set of valid and invalid files, llmwatch's verdict is `promtool check config`'s (Debian's
/// promtool 2.42, run for real). The file name says what is expected:
/// - `agree-*`: both accept or both refuse;
/// - `stricter-*`: promtool accepts a feature llmwatch refuses by name (see docs/scrape.md);
/// - `newer-*`: a field of Prometheus releases after 2.42, which 2.42 does not know and llmwatch reads.
struct PromtoolVerdictTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/promtool")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.files.filter { $0.hasPrefix("agree-valid") }.count >= 4)
        #expect(Self.files.filter { $0.hasPrefix("agree-invalid") }.count >= 30)
        #expect(Self.files.filter { $0.hasPrefix("stricter") }.count >= 5)
        #expect(Self.files.filter { $0.hasPrefix("newer") }.count >= 5)
    }

    @Test(arguments: files)
    func verdictMatchesPromtool(_ name: String) async throws {
        let promtool = try await runProgram(
            try Programs.installed("promtool"), ["check", "config", name], workingDirectory: Self.directory)
        let promtoolAccepts = promtool.status == 0
        let ours: Result<ConfigCheckReport, ConfigError>
        do {
            ours = .success(try PrometheusConfigLoader(environment: [:]).check(path: Self.directory.path + "/" + name).1)
        } catch {
            ours = .failure(error)
        }
        let weAccept = (try? ours.get()) != nil
        switch name {
        case let file where file.hasPrefix("agree-"):
            #expect(weAccept == promtoolAccepts, "\(name): llmwatch \(ours), promtool:\n\(promtool.output)")
            #expect(weAccept == file.hasPrefix("agree-valid"), "\(name): \(ours)")
        case let file where file.hasPrefix("stricter-"):
            #expect(promtoolAccepts, "\(name): promtool:\n\(promtool.output)")
            #expect(!weAccept, "\(name) should be refused")
            if case .failure(let error) = ours { #expect(error.message.contains("not supported") || error.message.contains("v1"), "\(error)") }
        case let file where file.hasPrefix("newer-"):
            #expect(!promtoolAccepts && promtool.output.contains("not found in type"), "\(name): promtool:\n\(promtool.output)")
            #expect(weAccept, "\(name): \(ours)")
        default:
            Issue.record("\(name): unknown fixture prefix")
        }
    }

    @Test func missingFileSDIsAWarningInBoth() async throws {
        let report = try PrometheusConfigLoader(environment: [:]).check(
            path: Self.directory.path + "/agree-valid-missing-file-sd.yml"
        ).1
        #expect(report.warnings == [
            #"file "\#(Self.directory.path)/not-there-yet/*.json" for file_sd in scrape job "later" does not exist"#
        ])
        let promtool = try await runProgram(
            try Programs.installed("promtool"), ["check", "config", "agree-valid-missing-file-sd.yml"],
            workingDirectory: Self.directory)
        #expect(promtool.output.contains("WARNING"))
    }

    @Test func checkListsTheRuleFiles() throws {
        let report = try PrometheusConfigLoader(environment: [:]).check(path: Self.directory.path + "/agree-valid-full.yml").1
        #expect(report.ruleFiles == [Self.directory.path + "/rules/alerts.yml", Self.directory.path + "/rules/alerts.yml"])
    }

    @Test func checkErrorsNameTheProblem() throws {
        let cases: [(String, String)] = [
            ("agree-invalid-missing-rule-file.yml", #""\#(Self.directory.path)/rules/not-there.yml" does not point to an existing file"#),
            ("agree-invalid-relabeled-url.yml", #"instance 0 in group 0: "http://x/y" is not a valid hostname"#),
            ("agree-invalid-relabeled-interval.yml", #"instance 0 in group 0: error parsing scrape interval: not a valid duration string: "abc""#),
            ("agree-invalid-relabeled-timeout.yml", #"instance 0 in group 0: scrape timeout cannot be greater than scrape interval ("1m" > "10s")"#),
            ("agree-invalid-bad-file-sd-content.yml", #"checking SD file "\#(Self.directory.path)/badtargets/*.json": \#(Self.directory.path)/badtargets/broken.json: target group 0: "not-valid" is not a valid label name"#),
        ]
        for (file, message) in cases {
            do {
                _ = try PrometheusConfigLoader(environment: [:]).check(path: Self.directory.path + "/" + file)
                Issue.record("\(file) passed")
            } catch {
                #expect(error.message == message, "\(file)")
            }
        }
    }
}

/// The files users bring: seed 004's prometheus.yml and every prometheus.yml shipped in the repository.
struct ShippedConfigTests {
    @Test func seedConfigurationLoads() throws {
        let path = PromtoolVerdictTests.directory.deletingLastPathComponent().appendingPathComponent("seed-004/prometheus.yml").path
        let (config, report) = try PrometheusConfigLoader(environment: [:]).check(path: path)
        #expect(config.global.scrapeInterval.description == "15s")
        #expect(config.global.evaluationInterval.description == "15s")
        #expect(config.global.externalLabels.description == #"{cluster="production", environment="prod"}"#)
        #expect(config.alerting.alertmanagers.first?.staticConfigs.first?.targets == ["alertmanager:9093"])
        #expect(config.ruleFiles.map(\.written) == ["alert-rules.yaml"])
        #expect(report.ruleFiles.count == 1)
        #expect(config.scrapeConfigs.map(\.jobName) == ["model-serving", "feature-store", "data-pipeline", "node-exporter"])
        #expect(config.scrapeConfigs.map(\.scrapeInterval.description) == ["10s", "15s", "15s", "15s"])
        #expect(config.scrapeConfigs[0].staticConfigs[0].targets == ["model-server:8080"])
    }

    @Test func everyShippedPrometheusYAMLLoads() throws {
        let root = Programs.repositoryRoot
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasPrefix(".build") || path.hasPrefix("Tests/") || path.hasPrefix("Benchmarks/.build") { continue }
            if (path as NSString).lastPathComponent == "prometheus.yml" { found.append(path) }
        }
        #expect(!found.isEmpty)
        for path in found {
            let (config, report) = try PrometheusConfigLoader(environment: [:]).check(path: root.appendingPathComponent(path).path)
            #expect(!config.scrapeConfigs.isEmpty, "\(path)")
            #expect(!report.ruleFiles.isEmpty, "\(path): rule files")
        }
    }
}
