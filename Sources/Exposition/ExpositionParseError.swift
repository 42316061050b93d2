/// Why a page could not be parsed: the 1-based line and what was expected there, e.g.
/// `line 12: expected label value in quotes`.
public struct ExpositionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number where parsing stopped.
    public let line: Int
    /// What is wrong on that line.
    public let message: String

    /// Creates an error for `line`.
    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String {
        "line \(line): \(message)"
    }
}
