import NIOCore
import Testing

@testable import Probe

/// ``LineFraming`` and its ``LineBuffer`` on their own: once the consumer no longer wants lines as
/// they arrive, reads are held back, and their lines reach it whole, in order, with the instant of
/// the read that ended the hold.
@Suite struct LineFramingTests {
    /// Wants only its first line live; stops at the line `END`.
    struct RecordingLines: LineConsumer {
        var endMarkers: [EndMarker] = ["END"]
        var seen: [(line: String, at: ContinuousClock.Instant)] = []
        var consumesLinesAsTheyArrive: Bool { seen.isEmpty }

        mutating func consume(line: UnsafeBufferPointer<UInt8>, at now: ClockReading) -> Bool {
            seen.append((String(decoding: line, as: UTF8.self), now.instant))
            return seen.last?.line != "END"
        }

        func finish(_ times: StreamTimes) -> [(line: String, at: ContinuousClock.Instant)] {
            seen + [("finished", times.responseEnded)]
        }
    }

    /// Instants one second apart, so a line stamped with the wrong read shows.
    static let start = ContinuousClock.now
    static func instant(_ read: Int) -> ContinuousClock.Instant { start + .seconds(read) }

    /// Hands `text` over as the connection hands a read: kept in the buffer when it holds it
    /// back, consumed otherwise.
    static func read(
        _ text: String, at instant: ContinuousClock.Instant, into framing: inout LineFraming<RecordingLines>
    ) throws -> ContinuousClock.Instant? {
        let buffer = ByteBuffer(string: text)
        if framing.buffer.holdBack(buffer) { return nil }
        return try framing.consume(buffer, at: instant)
    }

    @Test func heldBackLinesArriveWithTheReadThatEndsTheHold() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 10)
        // The end marker is cut between the third and fourth reads.
        let reads = ["first\nsec", "ond\nthird\n", "fourth\nEN", "D\nafter\n"]
        var stops: [ContinuousClock.Instant?] = []
        for (index, read) in reads.enumerated() {
            stops.append(try Self.read(read, at: Self.instant(index), into: &framing))
            if index == 1 {
                #expect(framing.lines.seen.map(\.line) == ["first"], "the second read is held back")
            }
        }

        #expect(stops == [nil, nil, nil, Self.instant(3)], "it stops at the read that completed END")
        let seen = framing.lines.seen
        #expect(seen.map(\.line) == ["first", "second", "third", "fourth", "END"])
        #expect(seen.map(\.at) == [0, 3, 3, 3, 3].map(Self.instant), "the read that completed END ended the hold")
    }

    @Test func theBodyEndConsumesWhatWasHeldBack() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 10)
        for (index, read) in ["first\n", "second\nthi", "rd"].enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
        }
        let ended = Self.instant(5)
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: ended))

        #expect(result.map(\.line) == ["first", "second", "third", "finished"])
        #expect(result.map(\.at) == [Self.instant(0), ended, ended, ended])
    }

    @Test func anEndEventHeldBackWithoutAMarkerEndsTheResponseAtTheBodysEnd() throws {
        // Without a marker, nothing after the first line is consumed before the body ends.
        var framing = LineFraming(RecordingLines(endMarkers: []), maxLineBytes: 1 << 10)
        for (index, read) in ["first\n", "END\n", "after"].enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
        }
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: Self.instant(9)))

        #expect(result.map(\.line) == ["first", "END", "finished"])
        #expect(result.map(\.at) == [Self.instant(0), Self.instant(9), Self.instant(9)], "END was only seen at the body's end")
    }

    @Test func aLineLongerThanTheLimitIsRefusedWhileHeldBack() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 10)
        _ = try Self.read("first\n", at: Self.instant(0), into: &framing)
        let garbage = String(repeating: "x", count: 16 << 10)
        #expect(throws: ProbeError.self) {
            // Five reads pass the batch size, so the line is measured while reads are held back.
            for read in 0..<5 { _ = try Self.read(garbage, at: Self.instant(read), into: &framing) }
        }
    }

    /// Thousands of tiny reads held back, then a line longer than a batch (which grows the
    /// bytes): every line arrives whole and in order, with the instant of the read that ended
    /// its hold, the first read past the batch size.
    @Test func manyTinyReadsAndALineLongerThanABatchArriveWhole() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 20)
        var reads = ["first\n"]
        for index in 0..<3000 { reads.append(index % 100 == 99 ? "\n" : "x") }
        let long = String(repeating: "y", count: 200 << 10)
        reads.append(long)
        reads.append("z\nlast\n")
        for (index, read) in reads.enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
        }
        let ended = Self.instant(reads.count)
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: ended))

        let xs = String(repeating: "x", count: 99)
        let expected = [("first", 0)] + Array(repeating: (xs, 3001), count: 30) + [(long + "z", 3002), ("last", 3002)]
        #expect(result.map(\.line) == expected.map(\.0) + ["finished"])
        #expect(result.map(\.at) == expected.map { Self.instant($0.1) } + [ended])
    }

    /// A held-back read is searched for each end marker from the marker's rarest byte, not its
    /// first: over every start offset of many strings made of the markers' own bytes (so that
    /// near misses abound), the search must agree with a plain comparison at every place.
    @Test func endMarkerSearchAgreesWithAPlainSearch() {
        let markers: [StaticString] = ["[DONE]", #""error""#, #""done":true"#, "message_stop", "END", "x"]
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for marker in markers {
            let search = EndMarker(marker)
            let needle = Array(UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount))
            let alphabet = needle + Array(#"e" :"#.utf8)
            for _ in 0..<300 {
                var haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                if Bool.random(using: &generator), haystack.count >= needle.count {
                    let at = Int.random(in: 0...(haystack.count - needle.count), using: &generator)
                    haystack.replaceSubrange(at..<(at + needle.count), with: needle)
                }
                for start in 0...haystack.count {
                    let plain = start + needle.count <= haystack.count
                        && (start...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
                    #expect(haystack.withUnsafeBufferPointer { search.occurs(in: $0, from: start) } == plain, "\(marker) in \(String(decoding: haystack, as: UTF8.self)) from \(start)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000)
    }
}
