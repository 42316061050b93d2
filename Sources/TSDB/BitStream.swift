/// Appends bits, most significant first, to a growing byte buffer: the bit stream under a chunk.
struct BitWriter: Sendable {
    /// The bytes written so far; the last byte may be partly filled.
    private(set) var bytes: [UInt8]
    /// How many low bits of the last byte are still free (0 when a new byte is needed).
    private var freeBits: Int

    /// Starts a stream after `prefix`, which is treated as whole bytes.
    init(prefix: [UInt8] = []) {
        bytes = prefix
        freeBits = 0
    }

    /// Continues a stream whose last byte has `usedBitsInLastByte` bits written (1...8).
    init(bytes: [UInt8], usedBitsInLastByte: Int) {
        self.bytes = bytes
        freeBits = bytes.isEmpty ? 0 : 8 - usedBitsInLastByte
        // Padding bits must be zero: later writes OR into them.
        if freeBits > 0 { self.bytes[bytes.count - 1] &= ~UInt8((1 << freeBits) - 1) }
    }

    /// Writes one bit.
    mutating func writeBit(_ bit: Bool) {
        if freeBits == 0 {
            bytes.append(0)
            freeBits = 8
        }
        freeBits -= 1
        if bit { bytes[bytes.count - 1] |= 1 << UInt8(freeBits) }
    }

    /// Writes the low `count` bits of `value` (0...64), most significant first.
    mutating func writeBits(_ value: UInt64, count: Int) {
        var remaining = count
        while remaining > 0 {
            if freeBits == 0 {
                bytes.append(0)
                freeBits = 8
            }
            let n = min(remaining, freeBits)
            let part = UInt8(truncatingIfNeeded: (value >> UInt64(remaining - n)) & ((1 << UInt64(n)) - 1))
            bytes[bytes.count - 1] |= part << UInt8(freeBits - n)
            freeBits -= n
            remaining -= n
        }
    }

    /// Writes whole bytes, e.g. a varint; the stream need not be byte-aligned.
    mutating func writeBytes(_ values: [UInt8]) {
        for byte in values { writeBits(UInt64(byte), count: 8) }
    }

    /// Overwrites byte `index`, used for the sample-count header.
    mutating func setByte(_ index: Int, to value: UInt8) {
        bytes[index] = value
    }
}

/// Reads bits, most significant first, from a byte buffer; every read past the end returns nil.
struct BitReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int

    /// Starts reading at byte `offset` of `bytes`.
    init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        position = offset * 8
    }

    /// The number of bits read so far, counted from the start of the buffer.
    var consumedBits: Int { position }

    /// The number of bits left.
    var remainingBits: Int { bytes.count * 8 - position }

    /// Reads one bit.
    mutating func readBit() -> Bool? {
        guard position < bytes.count * 8 else { return nil }
        let byte = bytes[position >> 3]
        let bit = (byte >> UInt8(7 - (position & 7))) & 1
        position += 1
        return bit == 1
    }

    /// Reads `count` bits (0...64) as the low bits of the result.
    mutating func readBits(_ count: Int) -> UInt64? {
        guard count <= remainingBits else { return nil }
        var result: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let used = position & 7
            let available = 8 - used
            let n = min(available, remaining)
            let byte = UInt64(bytes[position >> 3])
            let part = (byte >> UInt64(available - n)) & ((1 << UInt64(n)) - 1)
            result = (result << UInt64(n)) | part
            position += n
            remaining -= n
        }
        return result
    }

    /// Reads one whole byte at any bit position.
    mutating func readByte() -> UInt8? {
        readBits(8).map { UInt8(truncatingIfNeeded: $0) }
    }

    /// Reads a signed varint (zig-zag, as Go's `binary.PutVarint`).
    mutating func readVarint() -> Int64? {
        guard let raw = readUvarint() else { return nil }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads an unsigned varint (as Go's `binary.PutUvarint`).
    mutating func readUvarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 70 {
            guard let byte = readByte() else { return nil }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}
