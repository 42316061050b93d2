import NIOCore
import Testing

@testable import Probe

/// ``LineFraming`` and its ``LineBuffer`` on their own: once the consumer no longer wants lines as
/// they arrive, reads are held back, and their lines still reach it with the instant of the read
/// that completed each.
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
        if framing.buffer.holdBack(buffer, at: ClockReading(instant)) { return nil }
        return try framing.consume(buffer, at: instant)
    }

    @Test func heldBackLinesKeepTheInstantOfTheirOwnRead() throws {
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
        #expect(seen.map(\.at) == [0, 1, 1, 2, 3].map(Self.instant))
    }

    @Test func theBodyEndConsumesWhatWasHeldBack() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 10)
        for (index, read) in ["first\n", "second\nthi", "rd"].enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
        }
        let ended = Self.instant(5)
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: ended))

        #expect(result.map(\.line) == ["first", "second", "third", "finished"])
        #expect(result.map(\.at) == [Self.instant(0), Self.instant(1), ended, ended])
    }

    @Test func anEndEventHeldBackEndsTheResponseAtItsRead() throws {
        // Without a marker, nothing after the first line is consumed before the body ends.
        var framing = LineFraming(RecordingLines(endMarkers: []), maxLineBytes: 1 << 10)
        for (index, read) in ["first\n", "END\n", "after"].enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
        }
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: Self.instant(9)))

        #expect(result.map(\.line) == ["first", "END", "finished"])
        #expect(result.last?.at == Self.instant(1), "the response ended at the read that completed END")
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

    /// Past the reads a hold keeps room for (``LineBuffer/maxReads``) and past the batch size (a
    /// line longer than a batch grows the bytes): every line still arrives whole, with the
    /// instant of the read that brought its line break.
    @Test func manyTinyReadsAndALineLongerThanABatchKeepTheirLinesAndInstants() throws {
        var framing = LineFraming(RecordingLines(), maxLineBytes: 1 << 20)
        var reads = ["first\n"]
        for index in 0..<3000 { reads.append(index % 100 == 99 ? "\n" : "x") }
        reads.append(String(repeating: "y", count: 200 << 10))
        reads.append("z\nlast\n")
        var expected: [(line: String, at: ContinuousClock.Instant)] = []
        var line = ""
        for (index, read) in reads.enumerated() {
            #expect(try Self.read(read, at: Self.instant(index), into: &framing) == nil)
            for character in read {
                if character == "\n" {
                    expected.append((line, Self.instant(index)))
                    line = ""
                } else {
                    line.append(character)
                }
            }
        }
        let ended = Self.instant(reads.count)
        let result = try framing.finish(StreamTimes(requestSent: Self.start, responseEnded: ended))

        #expect(result.count == expected.count + 1)
        #expect(result.map(\.line).dropLast() == expected.map(\.line)[...])
        #expect(result.map(\.at).dropLast() == expected.map(\.at)[...])
        #expect(expected.map(\.line).contains(String(repeating: "y", count: 200 << 10) + "z"))
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
