import Config
import Foundation
import Series

/// What `check(path:)` found beyond the file itself.
public struct ConfigCheckReport: Sendable, Equatable {
    /// Every rule file the `rule_files` patterns match, in order.
    public var ruleFiles: [String] = []
    /// Problems that do not fail the check (a file_sd pattern that matches nothing).
    public var warnings: [String] = []

    /// An empty report.
    public init() {}
}

extension PrometheusConfigLoader {
    /// Loads the file as `load` does, then makes the checks `promtool check config` adds:
    /// rule files given by path exist, client certificate and key files exist, file_sd target
    /// files parse, and every static and file_sd target builds (its relabeled address and
    /// interval labels are valid).
    public func check(path: String) throws(ConfigError) -> (PrometheusConfiguration, ConfigCheckReport) {
        let config = try load(path: path)
        var report = ConfigCheckReport()
        func failure(_ message: String) -> ConfigError {
            ConfigError(file: path, line: 0, column: 0, message: message)
        }
        for pattern in config.ruleFiles {
            let matches = FileGlob.matches(pattern.resolved)
            if !pattern.isGlob {
                guard let first = matches.first else {
                    throw failure("\(Labels.quote(pattern.resolved)) does not point to an existing file")
                }
                if !Self.isRegularFile(first) {
                    throw failure("error checking rule file \(Labels.quote(first)): is not a regular file")
                }
            }
            report.ruleFiles.append(contentsOf: matches)
        }
        for scrape in config.scrapeConfigs {
            for file in [scrape.http.tls.certFile, scrape.http.tls.keyFile].compactMap({ $0 }) {
                if !FileManager.default.fileExists(atPath: file) {
                    throw failure("error checking client certificate or key file \(Labels.quote(file)): no such file")
                }
            }
            for group in scrape.staticConfigs {
                try checkTargets(scrape.buildTargets(group), group: group, failure: failure)
            }
            for fileSD in scrape.fileSDConfigs {
                for pattern in fileSD.files {
                    let files = FileGlob.matches(pattern)
                    if files.isEmpty {
                        report.warnings.append(
                            "file \(Labels.quote(pattern)) for file_sd in scrape job \(Labels.quote(scrape.jobName)) does not exist")
                    }
                    for file in files {
                        let groups: [TargetGroup]
                        do {
                            groups = try TargetGroupFile.read(path: file)
                        } catch {
                            throw failure("checking SD file \(Labels.quote(pattern)): \(error)")
                        }
                        for group in groups {
                            try checkTargets(scrape.buildTargets(group), group: group, failure: failure)
                        }
                    }
                }
            }
        }
        for alertmanager in config.alerting.alertmanagers {
            for group in alertmanager.staticConfigs {
                try checkTargets(alertmanager.buildTargets(group), group: group, failure: failure)
            }
        }
        return (config, report)
    }

    private func checkTargets(
        _ results: [TargetBuildResult], group: TargetGroup, failure: (String) -> ConfigError
    ) throws(ConfigError) {
        for (index, result) in results.enumerated() {
            if case .failed(let reason) = result {
                throw failure("instance \(index) in group \(group.source): \(reason)")
            }
        }
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
