/// CRC-32 with the Castagnoli polynomial, the checksum Prometheus's WAL and chunk files use.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes[range]`.
    static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        bytes.withUnsafeBufferPointer { buffer in
            table.withUnsafeBufferPointer { table in
                for i in range { crc = table[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return ~crc
    }

    /// The checksum of all of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        checksum(bytes, 0..<bytes.count)
    }
}
