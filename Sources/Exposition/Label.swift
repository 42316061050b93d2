/// One label of a series: a name and its value, both as written in the exposition (values
/// unescaped).
public struct Label: Sendable, Hashable, CustomStringConvertible {
    /// The label name, matching `[a-zA-Z_][a-zA-Z0-9_]*`.
    public var name: String
    /// The label value: any UTF-8 text.
    public var value: String

    /// Creates a label from a name and an (unescaped) value.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// `name="value"` with the value escaped as in the exposition formats.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.appendLabel(name: name, value: value)
        return String(decoding: bytes, as: UTF8.self)
    }
}
