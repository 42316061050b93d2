/// One server-sent event: its `event:` name (empty when absent) and its `data:` lines joined by
/// newlines, as the WHATWG event-stream rules define them.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, or `""` for an unnamed event.
    public var name: String
    /// The `data:` field bytes.
    public var data: [UInt8]
}

/// Assembles server-sent events from lines (OpenAI, Anthropic and Gemini all stream this way).
public struct ServerSentEventParser: Sendable {
    private var name = ""
    private var data: [UInt8] = []
    private var hasData = false

    /// An empty parser.
    public init() {}

    /// Feeds one line (without its line break); returns the event that a blank line completes.
    public mutating func feed(_ line: ArraySlice<UInt8>) -> ServerSentEvent? {
        if line.isEmpty {
            defer { name = ""; data = []; hasData = false }
            return hasData ? ServerSentEvent(name: name, data: data) : nil
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[line.startIndex..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// The event still open when the stream ended without a final blank line, if any.
    public mutating func finish() -> ServerSentEvent? {
        feed([])
    }
}
