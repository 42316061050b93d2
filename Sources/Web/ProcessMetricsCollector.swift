import Exposition
import Foundation

/// The standard `process_*` metrics every Prometheus client exports, read from `/proc/self`,
/// plus `llmwatch_build_info`.
public struct ProcessMetricsCollector: MetricCollector {
    /// The version reported in `llmwatch_build_info`.
    public let version: String
    private let startTime: Double

    /// A collector reporting `version`; the process start time is taken from `/proc`.
    public init(version: String) {
        self.version = version
        self.startTime = Self.processStartTime() ?? Date().timeIntervalSince1970
    }

    public func collect() -> [MetricFamilySnapshot] {
        var families: [MetricFamilySnapshot] = [
            .gauge(name: "llmwatch_build_info", help: "A metric with a constant 1 labelled by llmwatch's version and Swift compiler.",
                   value: 1, labels: [Label("version", version), Label("swift_version", Self.swiftVersion)]),
            .gauge(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", value: startTime),
        ]
        if let stat = Self.readStat() {
            families.append(.counter(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", value: stat.cpuSeconds))
            families.append(.gauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", value: stat.virtualBytes))
            families.append(.gauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", value: stat.residentBytes))
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            families.append(.gauge(name: "process_open_fds", help: "Number of open file descriptors.", value: Double(fds.count)))
        }
        if let limit = Self.maxOpenFiles() {
            families.append(.gauge(name: "process_max_fds", help: "Maximum number of open file descriptors.", value: limit))
        }
        return families
    }

    /// The Swift compiler's major and minor version, e.g. `6.3`.
    public static var swiftVersion: String {
        #if compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "6.x"
        #endif
    }

    private struct Stat { var cpuSeconds: Double; var virtualBytes: Double; var residentBytes: Double; var startTicks: Double }

    /// Fields of `/proc/self/stat` after the command name: utime(14), stime(15), starttime(22),
    /// vsize(23), rss(24) in the 1-based numbering of proc(5).
    private static func readStat() -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 22, let utime = Double(fields[11]), let stime = Double(fields[12]),
              let start = Double(fields[19]), let vsize = Double(fields[20]), let rss = Double(fields[21]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        return Stat(cpuSeconds: (utime + stime) / ticks, virtualBytes: vsize, residentBytes: rss * page, startTicks: start)
    }

    private static func processStartTime() -> Double? {
        guard let stat = readStat(), let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let uptimeSeconds = Double(uptime.split(separator: " ").first ?? "") else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let bootTime = Date().timeIntervalSince1970 - uptimeSeconds
        return bootTime + stat.startTicks / ticks
    }

    private static func maxOpenFiles() -> Double? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Double(limit.rlim_cur)
    }
}
