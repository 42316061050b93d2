import Foundation

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tsdb-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The WAL directory of a store opened at `path`.
    var wal: String { path + "/wal" }

    /// The names of the WAL segments, in order.
    func segments() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.count == 8 && Int($0) != nil }.sorted()
    }
}
