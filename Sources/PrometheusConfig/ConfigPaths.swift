import Foundation

/// Paths in a `prometheus.yml` are relative to the directory of the file, as Prometheus's
/// `config.JoinDir` makes them: absolute and empty paths are kept, others are joined and cleaned.
public enum ConfigPaths {
    /// `path` resolved against `directory`, cleaned the way Go's `filepath.Join` cleans
    /// (`prometheus/../rules/*.yml` becomes `rules/*.yml`).
    public static func resolve(_ path: String, relativeTo directory: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        return clean(directory.isEmpty ? path : directory + "/" + path)
    }

    /// Go's `filepath.Clean`: removes `.` elements, empty elements and `x/..` pairs.
    public static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The directory holding `file`, as `filepath.Dir` gives it (`.` for a bare file name).
    public static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let directory = String(file[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}
