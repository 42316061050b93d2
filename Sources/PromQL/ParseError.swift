/// A syntax or type error in a PromQL query, located by byte position.
public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Byte offset into the query where the problem starts.
    public let position: Int
    /// The query the position refers to.
    public let query: String
    /// Prometheus's wording of the problem, e.g. `unclosed left parenthesis`.
    public let message: String

    /// Creates an error at `position` of `query`.
    public init(position: Int, query: String, message: String) {
        self.position = position
        self.query = query
        self.message = message
    }

    /// 1-based line of the position.
    public var line: Int {
        query.utf8.prefix(max(0, min(position, query.utf8.count))).filter { $0 == UInt8(ascii: "\n") }
            .count + 1
    }

    /// 1-based column (in bytes) of the position within its line.
    public var column: Int {
        let bytes = Array(query.utf8.prefix(max(0, min(position, query.utf8.count))))
        let lastBreak = bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1
        return position - lastBreak
    }

    /// Prometheus's rendering: `line:col: parse error: message`.
    public var description: String {
        "\(line):\(column): parse error: \(message)"
    }
}
