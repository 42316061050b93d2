/// Appends the fixed and variable-width integers of the WAL and checkpoint formats to a byte buffer.
///
/// Varints are Go's `encoding/binary` varints, as Prometheus's record and chunk formats use them;
/// fixed-width integers are little-endian.
struct ByteWriter: Sendable {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Creates an empty buffer with room for `capacity` bytes.
    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func uvarint(_ value: UInt64) {
        ByteWriter.appendUvarint(value, to: &bytes)
    }

    mutating func varint(_ value: Int64) {
        ByteWriter.appendVarint(value, to: &bytes)
    }

    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func uint64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Writes a length-prefixed byte string.
    mutating func lengthPrefixed(_ value: [UInt8]) {
        uvarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a length-prefixed UTF-8 string.
    mutating func string(_ value: String) {
        uvarint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Appends an unsigned varint to `bytes`.
    static func appendUvarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a zig-zag signed varint to `bytes`.
    static func appendVarint(_ value: Int64, to bytes: inout [UInt8]) {
        appendUvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }
}

/// Reads what `ByteWriter` writes; every read past the end or of a malformed value throws.
struct ByteReader {
    /// Thrown when the bytes end early or a value is malformed.
    struct Malformed: Error {}

    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() throws(Malformed) -> UInt8 {
        guard offset < bytes.count else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uvarint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 70 {
            let b = try byte()
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        throw Malformed()
    }

    mutating func varint() throws(Malformed) -> Int64 {
        let raw = try uvarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a varint that must fit a non-negative `Int` no larger than `limit`.
    mutating func count(limit: Int) throws(Malformed) -> Int {
        let raw = try uvarint()
        guard raw <= UInt64(limit) else { throw Malformed() }
        return Int(raw)
    }

    mutating func uint32() throws(Malformed) -> UInt32 {
        var result: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { result |= UInt32(try byte()) << UInt32(shift) }
        return result
    }

    mutating func uint64() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { result |= UInt64(try byte()) << UInt64(shift) }
        return result
    }

    /// Reads a length-prefixed byte string.
    mutating func lengthPrefixed() throws(Malformed) -> [UInt8] {
        let raw = try uvarint()
        guard raw <= UInt64(bytes.count - offset) else { throw Malformed() }
        let length = Int(raw)
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    /// Reads a length-prefixed UTF-8 string.
    mutating func string() throws(Malformed) -> String {
        String(decoding: try lengthPrefixed(), as: UTF8.self)
    }
}
