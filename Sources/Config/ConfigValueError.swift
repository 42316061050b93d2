/// A value that does not parse, before we know where in a file it came from.
///
/// The standalone parsers (`PromDuration.parse`, `Schedule.parse`, environment expansion) throw
/// this; `ConfigNode` turns it into a `ConfigError` at the node's position.
public struct ConfigValueError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong with the value, phrased to follow `file:line:col: `.
    public let message: String

    /// Creates an error with a message that says what is wrong and what is accepted.
    public init(_ message: String) {
        self.message = message
    }

    /// The message itself.
    public var description: String { message }
}
