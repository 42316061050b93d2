import ArgumentParser
import Backfill
import Foundation
import TSDB

/// `llmwatch tsdb`: tools for the time-series store, like `promtool tsdb`.
struct TSDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "Work with the time-series store.",
        subcommands: [TSDBImport.self]
    )
}

/// `llmwatch tsdb import`: backfills history into the store.
struct TSDBImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import samples into the time-series store.",
        subcommands: [TSDBImportOpenMetrics.self]
    )
}

/// `llmwatch tsdb import openmetrics FILE`: appends an OpenMetrics file's samples (timestamps in
/// seconds, `# EOF` at the end) to the store, as `promtool tsdb create-blocks-from openmetrics`
/// backfills Prometheus. The store must not be open in another process.
struct TSDBImportOpenMetrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openmetrics",
        abstract: "Backfill an OpenMetrics file into the time-series store.",
        discussion: """
            Every sample needs a timestamp, and each series' samples must come in time order. A malformed file \
            imports nothing. Samples the store refuses (older than what a series already holds, or a second \
            value for a timestamp) are counted and the command exits 1: the store appends, so history older \
            than a series' newest sample (a file imported twice, say) is refused, never duplicated. Stop \
            `llmwatch evaluate` on the same --storage.path first.
            """
    )

    @Argument(help: "The OpenMetrics file to import.")
    var file: String

    @Option(name: .customLong("storage.path"), help: "Base path for the time-series store.")
    var storagePath = "data/"

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("cannot read \(file)")
            throw ExitCode(1)
        }
        let db: DB
        do {
            db = try DB(path: storagePath)
        } catch {
            printError("cannot open the time-series store: \(error)")
            throw ExitCode(1)
        }
        let report: OpenMetricsBackfill.Report
        do {
            report = try OpenMetricsBackfill.run([UInt8](data), file: file, into: db)
            try db.checkpoint()
            try db.close()
        } catch {
            try? db.close()
            printError("import failed: \(error)")
            throw ExitCode(1)
        }
        let range =
            report.minTime.map { min in
                " from \(Self.time(min)) to \(Self.time(report.maxTime ?? min))"
            } ?? ""
        print("read \(report.samplesRead) samples of \(report.series) series from \(file)\(range)")
        print(
            "appended \(report.appended) samples to \(storagePath); \(report.ignoredDuplicates) were already stored")
        guard report.rejectedTotal > 0 else { return }
        let reasons = report.rejected.sorted { $0.key.description < $1.key.description }
            .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        printError("rejected \(report.rejectedTotal) samples: \(reasons)")
        for example in report.rejectedExamples { printError("  \(example)") }
        throw ExitCode(1)
    }

    private static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
