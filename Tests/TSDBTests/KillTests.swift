import Foundation
import Series
import TestSupport
import Testing

@testable import TSDB

/// A real crash: a child process appends and acknowledges each commit on stdout until it is
/// killed with SIGKILL; reopening must find every acknowledged commit, whole.
///
/// The child is this test binary itself, re-run with a filter that selects only
/// `childAppendsUntilKilled` and an environment variable naming the storage directory.
struct KillTests {
    static let environmentKey = "TSDB_KILL_TEST_DIRECTORY"
    static let seriesCount = 10
    static let acknowledgementsBeforeKill = 300

    static func batch(_ k: Int) -> [LabeledSample] {
        (0..<seriesCount).map { i in
            LabeledSample(
                labels: Labels(["__name__": "kill_test", "series": "\(i)"]), timestamp: Int64(k) * 1000,
                value: Double(k * seriesCount + i))
        }
    }

    /// The child's work; does nothing when run as an ordinary test.
    @Test func childAppendsUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.environmentKey] else { return }
        let db = try DB(path: path)
        for k in 0..<1_000_000 {
            try db.append(Self.batch(k))
            FileHandle.standardOutput.write(Data("ACK \(k)\n".utf8))
        }
    }

    #if os(Linux)
        @Test func killedWriterLosesNothingAcknowledged() async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let path = dir.path
            // Reading the child's pipe blocks: off the cooperative pool.
            let acknowledged = try await offPool { try Self.runChildUntilKilled(directory: path) }
            #expect(acknowledged + 1 >= Self.acknowledgementsBeforeKill, "the child stopped early")

            let db = try DB(path: dir.path)
            defer { try? db.close() }
            let stored = try DBTests.dump(db)
            #expect(stored.count == Self.seriesCount)
            let timestamps = Set(stored.values.map { $0.map(\.timestamp) })
            // Every series holds the same commits (each commit is one WAL record), with no gaps,
            // and at least every acknowledged one.
            #expect(timestamps.count == 1)
            let held = timestamps.first ?? []
            #expect(held == (0..<held.count).map { Int64($0) * 1000 })
            #expect(held.count > acknowledged)
        }

        /// Starts the child on `directory`, reads its acknowledgements until enough arrived, kills
        /// it with SIGKILL and returns the last commit it acknowledged.
        static func runChildUntilKilled(directory: String) throws -> Int {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childAppendsUntilKilled"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.environmentKey: directory]) { $1 }
            let output = Pipe()
            child.standardOutput = output
            child.standardError = FileHandle.nullDevice
            try child.run()

            var acknowledged = -1
            var buffered = ""
            let reader = output.fileHandleForReading
            while acknowledged + 1 < Self.acknowledgementsBeforeKill {
                let data = reader.availableData
                if data.isEmpty { break }
                buffered += String(decoding: data, as: UTF8.self)
                let lines = buffered.split(separator: "\n", omittingEmptySubsequences: false)
                buffered = String(lines.last ?? "")
                for line in lines.dropLast() where line.hasPrefix("ACK ") {
                    acknowledged = Int(line.dropFirst(4)) ?? acknowledged
                }
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            return acknowledged
        }
    #endif
}
