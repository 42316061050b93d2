import ArgumentParser
import AsyncHTTPClient
import Config
import Foundation
import RemoteQuery
import Report

/// `llmwatch report`: the seeds' performance report (executive summary, per-model latency,
/// error and cost figures against the period before, SLA compliance, SLOs, incidents from the
/// alert history, trend charts) from a running llmwatch or any Prometheus-compatible API.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a performance report for a period.",
        discussion: """
            --from and --to take RFC 3339 times, Unix seconds, or (for --from) a duration before --to such as 7d. \
            Figures come from the query API at --server: llmwatch evaluate, Prometheus, Thanos or Mimir.
            """)

    @Option(help: "Start of the period (default: 7d before --to).")
    var from: String = "7d"

    @Option(help: "End of the period (default: now).")
    var to: String?

    @Option(help: "Output format: html, csv or json.")
    var format: String = "html"

    @Option(name: [.customShort("o"), .customLong("out")], help: "Write the report here instead of standard output.")
    var output: String?

    @Option(help: "The query API's base URL.")
    var server = "http://127.0.0.1:9479"

    @Option(name: .customLong("sla.availability"), help: "The least share of successful probes the SLA promises.")
    var availability = 0.999

    @Option(name: .customLong("sla.error-ratio"), help: "The largest share of failed requests the SLA allows.")
    var errorRatio = 0.01

    func validate() throws {
        guard ReportRenderer.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be html, csv or json, not \"\(format)\"")
        }
    }

    func run() async throws {
        let end = try to.map { try Self.time($0, flag: "--to") } ?? Int64(Date().timeIntervalSince1970 * 1000)
        let start: Int64
        if let duration = try? PromDuration.parse(from) {
            start = end - duration.milliseconds
        } else {
            start = try Self.time(from, flag: "--from")
        }
        guard start < end else { throw ValidationError("--from must be before --to") }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5))))
        var builder = ReportBuilder(client: PrometheusAPIClient(baseURL: server, client: client))
        builder.targets.availability = availability
        builder.targets.errorRatio = errorRatio
        let report = await builder.build(from: start, to: end)
        try await client.shutdown()
        let text = ReportRenderer.render(report, as: ReportRenderer.Format(rawValue: format) ?? .html)
        for failure in report.failures { FileHandle.standardError.write(Data("warning: not measured: \(failure)\n".utf8)) }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            print(text, terminator: "")
        }
    }

    /// RFC 3339 or Unix seconds, as milliseconds.
    static func time(_ text: String, flag: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64((seconds * 1000).rounded()) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) {
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }
        throw ValidationError("\(flag) must be an RFC 3339 time or Unix seconds, not \"\(text)\"")
    }
}
