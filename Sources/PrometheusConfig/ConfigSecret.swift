/// A password, token or key read from a `prometheus.yml`, kept out of every description.
///
/// Printing a config, logging it or putting it in an error shows `<secret>`; the value itself is
/// read only where a request header or TLS context is built.
public struct ConfigSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The credential itself.
    public let value: String

    /// Wraps a value.
    public init(_ value: String) {
        self.value = value
    }

    /// `<secret>`, never the value.
    public var description: String { "<secret>" }

    /// `<secret>`, never the value.
    public var debugDescription: String { "<secret>" }
}
