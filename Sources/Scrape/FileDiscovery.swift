#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Config
import Foundation
import Logging
import PrometheusConfig

/// One `file_sd_configs` entry at work: the matching files are read on start, whenever one
/// changes (checked every `pollInterval`), and every `refresh_interval`. A file that fails to
/// read keeps its last good targets and logs the error, as Prometheus's file discovery does; a
/// file that is gone takes its targets with it.
final class FileDiscovery: Sendable {
    let config: FileSDConfig
    /// `job/index`, for logs and `llmwatch_sd_discovered_targets`.
    let name: String
    let control = LoopControl()
    private let pollInterval: Duration
    private let logger: Logger
    private let metrics: ScrapeMetrics
    private let onUpdate: @Sendable ([TargetGroup]) -> Void

    init(
        config: FileSDConfig, name: String, pollInterval: Duration, logger: Logger, metrics: ScrapeMetrics,
        onUpdate: @escaping @Sendable ([TargetGroup]) -> Void
    ) {
        self.config = config
        self.name = name
        self.pollInterval = pollInterval
        self.logger = logger
        self.metrics = metrics
        self.onUpdate = onUpdate
    }

    /// A file's identity and version: what changes when it is rewritten or replaced.
    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
    }

    /// Reads until stopped.
    func run() async {
        var lastGood: [String: [TargetGroup]] = [:]
        var stamps: [String: Stamp] = [:]
        var sent: [TargetGroup]?
        var nextRefresh = ContinuousClock.now
        while control.reason == nil {
            let files = Array(Set(config.files.flatMap(FileGlob.matches))).sorted()
            let refreshDue = ContinuousClock.now >= nextRefresh
            var current: [String: Stamp] = [:]
            for file in files { current[file] = Self.stamp(file) }
            if refreshDue || current != stamps {
                for file in files where refreshDue || current[file] != stamps[file] || lastGood[file] == nil {
                    do {
                        lastGood[file] = try TargetGroupFile.read(path: file)
                    } catch {
                        metrics.fileReadError()
                        logger.error("Error reading file", metadata: ["path": "\(file)", "err": "\(error)", "discovery": "\(name)"])
                    }
                }
                for file in lastGood.keys where !files.contains(file) { lastGood[file] = nil }
                stamps = current
                let groups = files.flatMap { lastGood[$0] ?? [] }
                if groups != sent {
                    sent = groups
                    metrics.discovered(config: name, targets: groups.reduce(0) { $0 + $1.targets.count })
                    onUpdate(groups)
                }
                if refreshDue { nextRefresh = ContinuousClock.now + config.refreshInterval.duration }
            }
            let wake = min(ContinuousClock.now + pollInterval, nextRefresh)
            if await control.sleep(until: wake) != nil { break }
        }
        metrics.discovered(config: name, targets: nil)
    }

    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}
