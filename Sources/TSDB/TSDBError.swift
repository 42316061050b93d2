import Foundation

/// Errors opening, writing and reading the store on disk.
public enum TSDBError: Error, Equatable, CustomStringConvertible {
    /// A system call on `path` failed with `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// Another process (or another `DB` in this one) holds the directory's lock.
    case locked(path: String)
    /// A checkpoint does not decode; the WAL it replaced is gone, so opening stops here.
    case corruptCheckpoint(path: String, detail: String)
    /// The `DB` was closed.
    case closed

    /// What went wrong, where, and what to do.
    public var description: String {
        switch self {
        case .io(let operation, let path, let errno):
            return "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case .locked(let path):
            return "storage directory \(path) is locked by another process; stop it or choose another --storage.path"
        case .corruptCheckpoint(let path, let detail):
            return "checkpoint \(path) is corrupt (\(detail)); move it aside to start without the data it holds"
        case .closed:
            return "the time-series store is closed"
        }
    }
}
