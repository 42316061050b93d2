import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the WAL and checkpoints need, with errors that name the path.
enum FileIO {
    /// Opens `path` for appending, creating it when absent.
    static func openForAppend(_ path: String) throws(TSDBError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return fd
    }

    /// Writes every byte of `bytes`, retrying short writes and interruptions.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(TSDBError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            written += n
        }
    }

    /// Flushes a file's data to stable storage.
    static func sync(_ fd: Int32, path: String) throws(TSDBError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    /// Flushes a directory, making creations, renames and deletions in it durable.
    static func syncDirectory(_ path: String) throws(TSDBError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Cuts the file at `path` to `length` bytes.
    static func truncate(_ path: String, to length: Int) throws(TSDBError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw .io(operation: "truncate", path: path, errno: errno) }
        try sync(fd, path: path)
    }

    /// Reads a whole file.
    static func read(_ path: String) throws(TSDBError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .io(operation: "read", path: path, errno: errno) }
            if n == 0 { break }
            done += n
        }
        return done == bytes.count ? bytes : Array(bytes[..<done])
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, directory fsync.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(TSDBError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create", path: temporary, errno: errno) }
        do {
            try writeAll(fd, bytes, path: temporary)
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .io(operation: "rename", path: temporary, errno: errno) }
        try syncDirectory(directory)
    }

    /// Creates a directory and its parents when absent.
    static func makeDirectory(_ path: String) throws(TSDBError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// The names of the entries of a directory.
    static func list(_ path: String) throws(TSDBError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .io(operation: "list", path: path, errno: errno)
        }
    }

    /// Deletes a file; a missing file is not an error.
    static func remove(_ path: String) throws(TSDBError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    /// The size of a file in bytes, or 0 when it cannot be read.
    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Takes an exclusive advisory lock on `path` (created when absent); returns the descriptor that holds it.
    static func lock(_ path: String) throws(TSDBError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: path)
        }
        return fd
    }
}
