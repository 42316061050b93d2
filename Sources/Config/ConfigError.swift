/// An error in a configuration file, pointing at the place a person has to edit.
///
/// The description reads like promtool's, so editors and CI logs can jump to the spot:
/// `probe.yml:12:5: unknown field "provder" in models[0]; did you mean "provider"?`
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file name as given to the loader (a path, or a label such as `<inline>`).
    public let file: String
    /// 1-based line of the offending node; 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column of the offending node, counted in Unicode scalars; 0 when unknown.
    public let column: Int
    /// What is wrong and, where we can tell, what to write instead.
    public let message: String

    /// Creates an error at a position in `file`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, leaving out the parts that are unknown (zero).
    public var description: String {
        switch (line, column) {
        case (0, _): "\(file): \(message)"
        case (_, 0): "\(file):\(line): \(message)"
        default: "\(file):\(line):\(column): \(message)"
        }
    }
}
