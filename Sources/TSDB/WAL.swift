import Foundation

/// The write-ahead log: numbered segment files in `<storage.path>/wal/` holding framed records.
///
/// Every commit is handed to the operating system with one `write` before `DB.append` returns, so
/// a killed process loses nothing it acknowledged. `fsync` (which protects against power loss)
/// is a group commit: `DB` calls `sync` at least once per `DB.Options.syncInterval` (one second by
/// default), and every finished segment is synced when it is cut. Segments are cut at
/// `segmentSize` bytes and deleted once a checkpoint covers them.
///
/// Not thread-safe: `DB` uses it under its lock.
final class WAL {
    /// The WAL directory.
    let directory: String
    /// The size after which a new segment is started.
    let segmentSize: Int
    /// The index of the segment being written.
    private(set) var segment: Int
    private var fd: Int32
    private var segmentBytes = 0
    /// Bytes in the segments that are still on disk, including the open one.
    private(set) var totalBytes: Int
    /// The number of segments on disk.
    private(set) var segmentCount: Int

    /// Starts writing a new segment `segment` in `directory`, which already holds `existingBytes`
    /// in `existingSegments` older segments.
    init(directory: String, segment: Int, segmentSize: Int, existingBytes: Int, existingSegments: Int) throws(TSDBError)
    {
        self.directory = directory
        self.segmentSize = segmentSize
        self.segment = segment
        fd = try FileIO.openForAppend(WAL.path(directory, segment))
        try FileIO.syncDirectory(directory)
        totalBytes = existingBytes
        segmentCount = existingSegments + 1
    }

    /// The path of segment `index`.
    static func path(_ directory: String, _ index: Int) -> String {
        directory + "/" + name(index)
    }

    /// The file name of segment `index`: eight zero-padded digits, as Prometheus names them.
    static func name(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The segment index named by `name`, if it is a segment file name.
    static func index(of name: String) -> Int? {
        guard name.count >= 8, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(name)
    }

    /// Frames and writes `records` with a single `write`, cutting a new segment first when full.
    func log(_ records: [Record]) throws(TSDBError) {
        var bytes: [UInt8] = []
        for record in records { Frame.append(record.encoded(), to: &bytes) }
        guard !bytes.isEmpty else { return }
        if segmentBytes > 0 && segmentBytes + bytes.count > segmentSize { _ = try cut() }
        try FileIO.writeAll(fd, bytes, path: WAL.path(directory, segment))
        segmentBytes += bytes.count
        totalBytes += bytes.count
    }

    /// Syncs and closes the current segment and starts the next; returns the index of the closed one.
    func cut() throws(TSDBError) -> Int {
        let closed = segment
        try FileIO.sync(fd, path: WAL.path(directory, closed))
        let next = try FileIO.openForAppend(WAL.path(directory, closed + 1))
        Foundation.close(fd)
        fd = next
        segment = closed + 1
        segmentBytes = 0
        segmentCount += 1
        try FileIO.syncDirectory(directory)
        return closed
    }

    /// A duplicate descriptor of the open segment, so it can be synced without holding `DB`'s lock.
    func duplicateDescriptor() -> Int32 {
        dup(fd)
    }

    /// Records that segments holding `bytes` in `count` files were deleted.
    func forget(bytes: Int, segments count: Int) {
        totalBytes -= bytes
        segmentCount -= count
    }

    /// Syncs and closes the open segment.
    func close() throws(TSDBError) {
        guard fd >= 0 else { return }
        defer {
            Foundation.close(fd)
            fd = -1
        }
        try FileIO.sync(fd, path: WAL.path(directory, segment))
    }

    deinit {
        if fd >= 0 { Foundation.close(fd) }
    }
}
