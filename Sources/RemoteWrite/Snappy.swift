/// Snappy's block format (github.com/google/snappy, format_description.txt), the compression
/// Prometheus remote write requires (`Content-Encoding: snappy`).
///
/// The compressor is a greedy single-pass matcher over a 16 Ki-entry hash table of 4-byte
/// sequences, emitting literals and 2-byte-offset copies; the decompressor reads every element
/// kind, for our tests and for a remote-write receiver.
public enum Snappy {
    /// Why a block does not decompress.
    public struct Corrupt: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// `input` compressed.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2 + 16)
        appendVarint(UInt64(input.count), to: &output)
        guard input.count >= 4 else {
            appendLiteral(input[...], to: &output)
            return output
        }
        var table = [Int](repeating: -1, count: 1 << 14)
        var literalStart = 0
        var position = 0
        let last = input.count - 4
        input.withUnsafeBufferPointer { bytes in
            func load(_ index: Int) -> UInt32 {
                UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                    | UInt32(bytes[index + 3]) << 24
            }
            func hash(_ value: UInt32) -> Int { Int((value &* 0x1E35_A7BD) >> 18) }
            while position <= last {
                let value = load(position)
                let slot = hash(value)
                let candidate = table[slot]
                table[slot] = position
                guard candidate >= 0, position - candidate <= 65535, load(candidate) == value else {
                    position += 1
                    continue
                }
                var length = 4
                while position + length < bytes.count, bytes[candidate + length] == bytes[position + length] {
                    length += 1
                }
                appendLiteral(input[literalStart..<position], to: &output)
                appendCopy(offset: position - candidate, length: length, to: &output)
                position += length
                literalStart = position
            }
        }
        appendLiteral(input[literalStart...], to: &output)
        return output
    }

    /// `input` decompressed.
    public static func decompress(_ input: [UInt8]) throws(Corrupt) -> [UInt8] {
        var index = 0
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < input.count, shift < 64 else { throw Corrupt(description: "truncated length") }
            let byte = input[index]
            index += 1
            length |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= 1 << 32 else { throw Corrupt(description: "length \(length) too large") }
        var output: [UInt8] = []
        output.reserveCapacity(Int(length))
        while index < input.count {
            let tag = input[index]
            index += 1
            switch tag & 3 {
            case 0:
                var size = Int(tag >> 2) + 1
                if size > 60 {
                    let extra = size - 60
                    guard index + extra <= input.count else { throw Corrupt(description: "truncated literal") }
                    size = 0
                    for k in 0..<extra { size |= Int(input[index + k]) << (8 * k) }
                    size += 1
                    index += extra
                }
                guard index + size <= input.count else { throw Corrupt(description: "truncated literal") }
                output.append(contentsOf: input[index..<(index + size)])
                index += size
            default:
                let size: Int
                let offset: Int
                switch tag & 3 {
                case 1:
                    guard index < input.count else { throw Corrupt(description: "truncated copy") }
                    size = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(input[index])
                    index += 1
                case 2:
                    guard index + 2 <= input.count else { throw Corrupt(description: "truncated copy") }
                    size = Int(tag >> 2) + 1
                    offset = Int(input[index]) | Int(input[index + 1]) << 8
                    index += 2
                default:
                    guard index + 4 <= input.count else { throw Corrupt(description: "truncated copy") }
                    size = Int(tag >> 2) + 1
                    offset = (0..<4).reduce(0) { $0 | Int(input[index + $1]) << (8 * $1) }
                    index += 4
                }
                guard offset > 0, offset <= output.count else { throw Corrupt(description: "copy offset out of range") }
                let start = output.count - offset
                for k in 0..<size { output.append(output[start + k]) }
            }
            guard output.count <= length else { throw Corrupt(description: "output longer than its length") }
        }
        guard output.count == length else { throw Corrupt(description: "output shorter than its length") }
        return output
    }

    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    private static func appendLiteral(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let size = bytes.count - 1
        if size < 60 {
            output.append(UInt8(size) << 2)
        } else if size < 1 << 8 {
            output += [60 << 2, UInt8(size)]
        } else if size < 1 << 16 {
            output += [61 << 2, UInt8(size & 0xFF), UInt8(size >> 8)]
        } else if size < 1 << 24 {
            output += [62 << 2, UInt8(size & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size >> 16)]
        } else {
            output += [63 << 2, UInt8(size & 0xFF), UInt8((size >> 8) & 0xFF), UInt8((size >> 16) & 0xFF), UInt8(size >> 24)]
        }
        output.append(contentsOf: bytes)
    }

    private static func appendCopy(offset: Int, length: Int, to output: inout [UInt8]) {
        var remaining = length
        while remaining > 0 {
            // Copies of 64 bytes at most; never leave fewer than 4 for a last piece.
            var piece = min(remaining, 64)
            if remaining > 64, remaining - 64 < 4 { piece = remaining - 4 }
            output += [UInt8(piece - 1) << 2 | 2, UInt8(offset & 0xFF), UInt8(offset >> 8)]
            remaining -= piece
        }
    }
}
