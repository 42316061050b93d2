import Foundation

/// Turns one provider's stream, line by line, into a ``ProbeOutcome``.
///
/// Each provider file has one conformance; the shared ``StreamingCall`` drives it, so timing and
/// error handling are the same for all of them.
protocol StreamDecoder: Sendable {
    /// Consumes one line of the response body (``DecodingConsumer`` does the timing); its bytes
    /// are only valid during the call.
    mutating func consume(line: UnsafeBufferPointer<UInt8>, into outcome: inout ProbeOutcome) throws(ProbeError)
    /// Called when the body ended; throws when the stream was cut off before its end event.
    mutating func finish(into outcome: inout ProbeOutcome) throws(ProbeError)
    /// Whether the provider's end event arrived (the rest of the body, if any, is ignored).
    var isComplete: Bool { get }
    /// Bytes that the provider's end event and error event hold (see ``LineConsumer/endMarkers``).
    /// A marker found elsewhere, in an answer's text, only makes the rest of the stream be
    /// decoded as it arrives.
    static var endMarkers: [EndMarker] { get }
}

/// Runs one streaming request through a decoder and stamps the timings.
///
/// Every duration is measured from the moment the request was sent, with instants taken on the
/// connection's event loop (see ``HTTPTransport/streamLines(_:timeout:redactor:consumer:)``),
/// so TTFT, TPOT and the request duration share one origin and exclude connecting.
enum StreamingCall {
    static func run<Decoder: StreamDecoder>(
        _ request: HTTPRequest,
        timeout: Duration,
        transport: HTTPTransport,
        redactor: SecretRedactor,
        decoder: Decoder
    ) async throws(ProbeError) -> ProbeOutcome {
        try await transport.streamLines(
            request, timeout: timeout, redactor: redactor, consumer: DecodingConsumer(decoder: decoder))
    }
}

/// Feeds a decoder on the event loop and notes when the first content arrived.
struct DecodingConsumer<Decoder: StreamDecoder>: LineConsumer {
    var decoder: Decoder
    var outcome = ProbeOutcome()
    /// When the line that brought the first non-empty content was read.
    var firstToken: ClockReading?

    /// Only the first token is timed live; the rest of the stream can wait for a batch.
    var consumesLinesAsTheyArrive: Bool { firstToken == nil }
    var endMarkers: [EndMarker] { Decoder.endMarkers }

    mutating func consume(line: UnsafeBufferPointer<UInt8>, at now: ClockReading) throws(ProbeError) -> Bool {
        try decoder.consume(line: line, into: &outcome)
        if firstToken == nil, !outcome.text.isEmpty { firstToken = now }
        return !decoder.isComplete
    }

    mutating func finish(_ times: StreamTimes) throws(ProbeError) -> ProbeOutcome {
        try decoder.finish(into: &outcome)
        outcome.timeToFirstToken = firstToken.map { $0.instant - times.requestSent }
        outcome.totalDuration = times.responseEnded - times.requestSent
        return outcome
    }
}

/// JSON helpers shared by the decoders: decode a line or fail as an invalid response.
enum WireJSON {
    static let decoder = JSONDecoder()

    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, what: String) throws(ProbeError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch {
            let snippet = String(decoding: bytes.prefix(120), as: UTF8.self)
            throw ProbeError(.invalidResponse, "\(what) is not valid JSON: \(snippet)")
        }
    }

    /// Reads `bytes` with a ``JSONReader`` walk, or fails as an invalid response.
    static func read<T>(
        _ bytes: [UInt8], what: @autoclosure () -> String, _ body: (inout JSONReader) throws(JSONReadError) -> T
    ) throws(ProbeError) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProbeError) -> T in try read(buffer, what: what(), body) }
    }

    /// Reads `bytes` with a ``JSONReader`` walk, or fails as an invalid response.
    static func read<T>(
        _ bytes: UnsafeBufferPointer<UInt8>, what: @autoclosure () -> String,
        _ body: (inout JSONReader) throws(JSONReadError) -> T
    ) throws(ProbeError) -> T {
        do {
            return try JSONReader.read(bytes, body)
        } catch {
            let snippet = String(decoding: bytes.prefix(120), as: UTF8.self)
            throw ProbeError(.invalidResponse, "\(what()) is not valid JSON: \(snippet)")
        }
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        encodeFragment(object)
    }

    static func encodeFragment(_ value: Any) -> [UInt8] {
        (try? Array(JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))) ?? []
    }
}
