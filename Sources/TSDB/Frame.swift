/// The framing of every WAL and checkpoint record: a 4-byte length, a 4-byte CRC32-C of the
/// payload (both little-endian), then the payload.
///
/// A reader stops at the first frame that does not fit the file or fails its checksum: that is a
/// torn write (the process died mid-write) or corruption, and everything from there on is cut.
enum Frame {
    /// The bytes before each payload.
    static let headerSize = 8

    /// Appends a framed `payload` to `bytes`.
    static func append(_ payload: [UInt8], to bytes: inout [UInt8]) {
        var header = ByteWriter(capacity: headerSize)
        header.uint32(UInt32(payload.count))
        header.uint32(CRC32.checksum(payload))
        bytes.append(contentsOf: header.bytes)
        bytes.append(contentsOf: payload)
    }

    /// Why a frame was refused.
    enum Damage: Equatable, CustomStringConvertible {
        /// The file ends inside the frame's header or payload.
        case truncated
        /// A zero length: zero-filled space a file system left after a crash.
        case zeroLength
        /// The payload does not match its checksum.
        case checksumMismatch
        /// The checksum matched but the record does not decode.
        case undecodable

        var description: String {
            switch self {
            case .truncated: return "record cut short by the end of the file"
            case .zeroLength: return "zero-length record"
            case .checksumMismatch: return "record checksum mismatch"
            case .undecodable: return "record does not decode"
            }
        }
    }

    /// The frames of `bytes` in order, then where and why reading stopped if it stopped early.
    static func split(_ bytes: [UInt8]) -> (payloads: [(offset: Int, payload: [UInt8])], damage: (offset: Int, Damage)?)
    {
        var payloads: [(offset: Int, payload: [UInt8])] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= headerSize else { return (payloads, (offset, .truncated)) }
            var header = ByteReader(bytes, offset: offset)
            // The header is in bounds, so these reads cannot fail.
            let length = Int((try? header.uint32()) ?? 0)
            let checksum = (try? header.uint32()) ?? 0
            guard length > 0 else { return (payloads, (offset, .zeroLength)) }
            let start = offset + headerSize
            guard bytes.count - start >= length else { return (payloads, (offset, .truncated)) }
            guard CRC32.checksum(bytes, start..<start + length) == checksum else {
                return (payloads, (offset, .checksumMismatch))
            }
            payloads.append((offset, Array(bytes[start..<start + length])))
            offset = start + length
        }
        return (payloads, nil)
    }
}
