#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore

/// The bytes of a streamed body that are not framed into lines yet: the start of an unfinished
/// line, then any reads held back.
///
/// A class and not generic, so that the connection can keep a read here itself
/// (``holdBack(_:)``) while the body's consumer does not need its lines yet: such a read runs
/// none of the consumer's code, and is not stamped with the clock. The events of a paced stream
/// arrive tens of milliseconds apart, each to cold caches, and every function, type and object
/// a read touches then costs microseconds: handing each held-back read to the generic consumer
/// took the connection's handler 17-20 µs per read, keeping it here 9-10 µs, against 4-4.5 µs
/// for a handler that only counts the bytes, and the first clock read after a wake-up costs
/// some 2 µs (Benchmarks/README.md, ProbeOverhead). The lines of held-back reads are consumed
/// with the instant of the read that ends the hold.
///
/// Only touched on the connection's event loop.
final class LineBuffer: @unchecked Sendable {
    /// What changes as reads come and lines go, in one stored property.
    private struct State {
        /// The bytes not consumed yet: the first `count` of `capacity`. Plain memory rather than
        /// an array, so that keeping a read is one copy, with no uniqueness check and no call
        /// into the array's generic code (see ``holdBack(_:)``).
        var bytes: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var count = 0
        /// How much of the bytes is known to hold no line break.
        var searched = 0
        var isHoldingBack = false
        /// A read held one of the end markers: nothing is held back from then on.
        var endIsNear = false
    }

    /// Not checked for exclusivity at run time, as a class's stored property otherwise is: only
    /// the connection's event loop touches it, and no access to it here spans a call that could
    /// reach it again (``consumeLines(_:)`` calls its consumer between accesses, never inside
    /// one). On a held-back read the check was the runtime's code to cold caches once more.
    @exclusivity(unchecked) private var state: State
    /// Bytes found in the events that end a stream (its end event, an error event).
    private let endMarkers: [EndMarker]
    /// Reads are held back until this many bytes have gathered.
    private let batchBytes: Int

    init(endMarkers: [EndMarker], batchBytes: Int) {
        self.endMarkers = endMarkers
        self.batchBytes = batchBytes
        // Room for a batch from the start: a held-back read never grows the bytes.
        state = State(bytes: .allocate(capacity: batchBytes), capacity: batchBytes)
    }

    deinit {
        state.bytes.deallocate()
    }

    /// Whether reads are held back (set by the consumer's side once it no longer times lines as
    /// they arrive). A read that holds an end marker clears it for good.
    var isHoldingBack: Bool {
        get { state.isHoldingBack }
        set { state.isHoldingBack = newValue && !state.endIsNear }
    }

    /// Keeps `buffer` when reads are held back, it holds no end marker and the bytes gathered
    /// stay under the batch size; returns whether it kept it. A read it does not keep goes to
    /// the consumer, which ``append(_:)``s it and consumes the lines.
    func holdBack(_ buffer: ByteBuffer) -> Bool {
        let (endMarkers, batchBytes) = (self.endMarkers, self.batchBytes)
        return buffer.withUnsafeReadableBytes { read in
            Self.holdBack(read, in: &state, endMarkers: endMarkers, batchBytes: batchBytes)
        }
    }

    private static func holdBack(
        _ read: UnsafeRawBufferPointer, in state: inout State, endMarkers: [EndMarker], batchBytes: Int
    ) -> Bool {
        guard state.isHoldingBack, let source = read.baseAddress else { return false }
        let start = state.count
        guard start + read.count < batchBytes else { return false }
        copyBytes(from: source, to: state.bytes + start, count: read.count)
        let bytes = UnsafeBufferPointer(start: state.bytes, count: start + read.count)
        for marker in endMarkers where marker.occurs(in: bytes, from: max(0, start - marker.count + 1)) {
            // Left for the consumer, which appends it again.
            state.isHoldingBack = false
            state.endIsNear = true
            return false
        }
        state.count = bytes.count
        return true
    }

    /// Copies a read sixteen bytes at a time: a read is a few hundred bytes, and `memcpy` would
    /// be one more function to cold caches on every held-back read.
    private static func copyBytes(from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<UInt8>, count: Int) {
        let target = UnsafeMutableRawPointer(destination)
        var offset = 0
        while offset + 16 <= count {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), toByteOffset: offset, as: SIMD16<UInt8>.self)
            offset += 16
        }
        while offset + 8 <= count {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            target.storeBytes(of: source.load(fromByteOffset: offset, as: UInt8.self), toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }

    /// Adds `buffer`, for its lines to be consumed.
    func append(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { read in
            reserve(read.count)
            if let source = read.baseAddress { UnsafeMutableRawPointer(state.bytes + state.count).copyMemory(from: source, byteCount: read.count) }
            state.count += read.count
        }
    }

    /// Makes room for `more` bytes after the ones held (a long line can outgrow a batch).
    private func reserve(_ more: Int) {
        guard state.count + more > state.capacity else { return }
        let capacity = max(state.capacity * 2, state.count + more)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        UnsafeMutableRawPointer(bytes).copyMemory(from: state.bytes, byteCount: state.count)
        state.bytes.deallocate()
        state.bytes = bytes
        state.capacity = capacity
    }

    /// Hands every whole line gathered to `consume` (without its line break, `\r\n` or `\n`),
    /// and drops them. Stops when `consume` returns `false`, and returns `false` then; otherwise
    /// `true`, with only the ``unfinishedLine`` left. A line's bytes are only valid during its
    /// call.
    func consumeLines(_ consume: (UnsafeBufferPointer<UInt8>) throws(ProbeError) -> Bool) throws(ProbeError) -> Bool {
        var lineStart = 0
        while let newline = newline(from: max(state.searched, lineStart)) {
            var lineEnd = newline
            if lineEnd > lineStart, state.bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            guard try consume(UnsafeBufferPointer(start: state.bytes + lineStart, count: lineEnd - lineStart)) else { return false }
            lineStart = newline + 1
        }
        state.count -= lineStart
        // The unfinished line moves to the front; the two may overlap (`memmove`).
        UnsafeMutableRawPointer(state.bytes).copyMemory(from: state.bytes + lineStart, byteCount: state.count)
        state.searched = state.count
        return true
    }

    /// The start of a line whose break has not arrived: all that is left after
    /// ``consumeLines(_:)`` has run. Valid until the buffer next changes.
    var unfinishedLine: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: state.bytes, count: state.count) }

    /// The index of the first `\n` in the bytes at or after `start`, found with `memchr` (a
    /// byte-by-byte loop is slower, and every byte of a stream is searched).
    private func newline(from start: Int) -> Int? {
        guard start < state.count, let found = memchr(state.bytes + start, Int32(UInt8(ascii: "\n")), state.count - start)
        else { return nil }
        return state.bytes.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

/// One of the bytes strings that end a stream, and which of its bytes to look for first: made
/// once per decoder (its `static let endMarkers`, from string literals), not per request.
///
/// Every held-back read is searched for every marker. Looking for a marker's first byte, as a
/// plain substring search does, finds a quote some thirty times in each event of a JSON stream
/// for `"error"`; looking for its rarest byte (`r` there, `D` in `[DONE]`) finds a handful, and
/// only those places are compared whole. The search took about 1,400 instructions a read the
/// first way (cachegrind, the 68-event llama.cpp stream).
struct EndMarker: ExpressibleByStringLiteral {
    private let bytes: StaticString
    /// The offset in `bytes` of the byte looked for first.
    private let anchor: Int
    var count: Int { bytes.utf8CodeUnitCount }

    /// Bytes in rough order of how often they occur in the JSON of a model's stream (quotes and
    /// punctuation, then lowercase letters by English frequency); any other byte is rarer still.
    private static let commonFirst = Array(#""e:,ta{}oinsr_hdl[]cumfpgwybvkxjqz 0123456789"#.utf8)

    init(_ bytes: StaticString) {
        self.bytes = bytes
        let utf8 = UnsafeBufferPointer(start: bytes.utf8Start, count: bytes.utf8CodeUnitCount)
        let rank = { (byte: UInt8) in Self.commonFirst.firstIndex(of: byte) ?? Self.commonFirst.count }
        anchor = utf8.indices.max { rank(utf8[$0]) < rank(utf8[$1]) } ?? 0
    }

    init(stringLiteral bytes: StaticString) {
        self.init(bytes)
    }

    /// Whether the marker occurs in `bytes`, starting at or after `start`: `memchr` finds each
    /// place of the anchor byte, and only there `memcmp` compares the whole marker (Glibc's
    /// `memmem` is not visible to Swift).
    func occurs(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        let count = self.count
        let expected = self.bytes.utf8Start
        let anchor = self.anchor
        guard count > 0, let base = buffer.baseAddress else { return false }
        // The marker at `c` needs `start <= c` and `c + count <= buffer.count`.
        var position = start + anchor
        let last = buffer.count - count + anchor
        while position <= last, let found = memchr(base + position, Int32(expected[anchor]), last - position + 1) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at - anchor, expected, count) == 0 { return true }
            position = at + 1
        }
        return false
    }
}
