/// One server-sent event: its `event:` name (empty when absent) and its `data:` lines joined by
/// newlines, as the WHATWG event-stream rules define them.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, or `""` for an unnamed event.
    public var name: String
    /// The `data:` field bytes.
    public var data: [UInt8]

    /// Whether the data is exactly `literal` (such as OpenAI's `[DONE]`).
    func dataIs(_ literal: StaticString) -> Bool {
        data.withUnsafeBufferPointer { $0.equals(literal) }
    }
}

/// Assembles server-sent events from lines (OpenAI, Anthropic and Gemini all stream this way).
public struct ServerSentEventParser: Sendable {
    private var name = ""
    private var data: [UInt8] = []
    private var hasData = false
    /// The fields above still hold the event last returned: the next line clears them, keeping
    /// `data`'s storage (by then the caller has normally let go of the event, so nothing is
    /// allocated for the next one).
    private var returned = false

    /// An empty parser.
    public init() {}

    /// Feeds one line (without its line break); returns the event that a blank line completes.
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>) -> ServerSentEvent? {
        if returned {
            name = ""
            data.removeAll(keepingCapacity: true)
            hasData = false
            returned = false
        }
        if line.isEmpty {
            guard hasData else {
                name = ""
                return nil
            }
            returned = true
            return ServerSentEvent(name: name, data: data)
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = UnsafeBufferPointer(rebasing: line[..<colon])
        var value = UnsafeBufferPointer(rebasing: line[min(colon + 1, line.endIndex)...])
        if value.first == UInt8(ascii: " ") { value = UnsafeBufferPointer(rebasing: value.dropFirst()) }
        if field.equals("data") {
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.equals("event") {
            name = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// The event still open when the stream ended without a final blank line, if any.
    public mutating func finish() -> ServerSentEvent? {
        feed(UnsafeBufferPointer(start: nil, count: 0))
    }
}
