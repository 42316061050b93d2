import Series

/// How a chunk's samples are encoded: the first byte of every chunk the store holds.
public enum ChunkEncoding: UInt8, Sendable, CaseIterable {
    /// Prometheus's XOR chunk (its `EncXOR` is also 1) after the encoding byte: the layout of
    /// checkpoints of format 1, read but no longer written.
    case prometheusXOR = 1
    /// Timestamps in llmwatch's delta-of-delta buckets, values XORed as in Gorilla.
    case xor = 2
    /// Timestamps in llmwatch's delta-of-delta buckets, values as exact decimal mantissas.
    case decimal = 3
}

/// A chunk of float samples, appended in timestamp order, in one of llmwatch's encodings.
///
/// Layout: the encoding byte, a 2-byte big-endian sample count, for `decimal` a byte holding the
/// scale (low 5 bits) and the `DecimalMode` (top bit), then a bit stream. The first sample is a
/// varint timestamp and a value; the second timestamp is a uvarint delta; later timestamps are
/// delta-of-deltas in `DeltaOfDeltaBuckets.llmwatch`. Values: for `xor`, the first as 64 raw bits
/// and the rest by `XORValueCoder`; for `decimal`, the first as `0` and a varint mantissa (or `1`
/// and 64 raw bits) and the rest by `MantissaCoder`, escaping any value the scale cannot hold.
///
/// A new chunk is `decimal` when its first value is an exact decimal, else `xor`. A value needing
/// more decimals than the chunk's scale re-encodes the chunk at the larger scale when every earlier
/// value still fits; any other value a decimal chunk cannot hold is escaped, so every bit pattern
/// (stale markers, other NaNs, infinities, `-0.0`) round-trips. `sealed()` re-encodes a full chunk
/// in whichever encoding is smallest. Appenders must keep timestamps increasing (`Head` does).
public struct Chunk: Sendable {
    /// The number of samples after which the head cuts a new chunk, as Prometheus does.
    public static let targetSamples = 120

    /// The encoding of the samples so far (an empty chunk picks one at its first sample).
    public private(set) var encoding: ChunkEncoding
    private var stream: BitWriter
    /// The number of samples in the chunk.
    public private(set) var count: Int = 0
    /// The timestamp of the first sample (milliseconds); meaningless while empty.
    public private(set) var minTime: Int64 = 0
    /// The timestamp of the last sample (milliseconds); meaningless while empty.
    public private(set) var maxTime: Int64 = 0
    private var lastDelta: UInt64 = 0
    private var lastValueBits: UInt64 = 0
    private var xor = XORValueCoder()
    private var scale = 0
    private var mode = DecimalMode.delta
    private var mantissas = MantissaCoder()
    private var lastMantissa: Int64 = 0
    private var lastMantissaDelta: Int64 = 0
    /// Values of a decimal chunk written as raw bits.
    private var escapes = 0
    /// Whether the encoding is still to be picked from the first value.
    private var picksEncoding: Bool

    /// Creates an empty chunk, which picks its encoding from its first value.
    public init() {
        encoding = .xor
        stream = BitWriter(prefix: [ChunkEncoding.xor.rawValue, 0, 0])
        picksEncoding = true
    }

    /// Creates an empty chunk of a fixed layout.
    init(decimalScale scale: Int, mode: DecimalMode) {
        encoding = .decimal
        self.scale = scale
        self.mode = mode
        stream = BitWriter(prefix: [ChunkEncoding.decimal.rawValue, 0, 0, UInt8(scale) | mode.rawValue << 7])
        picksEncoding = false
    }

    /// Creates an empty `xor` chunk.
    static func xorChunk() -> Chunk {
        var chunk = Chunk()
        chunk.picksEncoding = false
        return chunk
    }

    /// Reopens stored chunk bytes, of any encoding, for appending: decodes their samples and
    /// appends them to a new chunk, so a `prometheusXOR` chunk comes back in llmwatch's encoding.
    ///
    /// Throws `ChunkError.malformed` when the bytes do not decode to the count in their header or
    /// hold bytes past it.
    public init(reopening bytes: [UInt8]) throws(ChunkError) {
        var iterator = ChunkIterator(bytes: bytes)
        self.init()
        while let sample = iterator.next() { append(timestamp: sample.timestamp, value: sample.value) }
        guard !iterator.isMalformed, iterator.consumedBytes == bytes.count else { throw ChunkError.malformed }
    }

    /// The encoded chunk, padded to whole bytes.
    public var bytes: [UInt8] { stream.bytes }

    /// Whether the chunk holds no samples.
    public var isEmpty: Bool { count == 0 }

    /// The value of the last sample; meaningless while empty.
    public var lastValue: Double { Double(bitPattern: lastValueBits) }

    /// Whether the count header has room for another sample.
    public var isFull: Bool { count >= Int(UInt16.max) }

    /// The sample count in the header of stored chunk bytes of any encoding (0 when malformed).
    static func sampleCount(of bytes: [UInt8]) -> Int {
        // Every encoding, `prometheusXOR` included, has the count in bytes 1 and 2.
        guard bytes.count >= 3, ChunkEncoding(rawValue: bytes[0]) != nil else { return 0 }
        return Int(bytes[1]) << 8 | Int(bytes[2])
    }

    /// Appends a sample whose timestamp is greater than `maxTime`; returns false when the chunk is full.
    @discardableResult
    public mutating func append(timestamp: Int64, value: Double) -> Bool {
        guard !isFull else { return false }
        if picksEncoding {
            picksEncoding = false
            if let (scale, _) = DecimalValues.smallestScale(of: value) {
                self = Chunk(decimalScale: scale, mode: .delta)
            }
        } else if encoding == .decimal, DecimalValues.mantissa(of: value, scale: scale) == nil,
            let wider = DecimalValues.smallestScale(of: value, from: scale + 1),
            let rescaled = reencoded(scale: wider.scale)
        {
            self = rescaled
        }
        appendEncoded(timestamp: timestamp, value: value)
        return true
    }

    /// The chunk's bytes in whichever of `xor`, `decimal` by delta and `decimal` by delta-of-delta
    /// is smallest, for a chunk that will take no more samples.
    public func sealed() -> [UInt8] {
        let samples = decoded()
        var best = bytes
        var candidates: [Chunk] = []
        if encoding != .xor { candidates.append(Chunk.encode(samples, into: .xorChunk())) }
        if let first = samples.lazy.compactMap({ DecimalValues.smallestScale(of: $0.value) }).first {
            for mode in [DecimalMode.delta, .deltaOfDelta] where encoding != .decimal || mode != self.mode {
                candidates.append(Chunk.encode(samples, into: Chunk(decimalScale: first.scale, mode: mode)))
            }
        }
        for candidate in candidates where candidate.bytes.count < best.count { best = candidate.bytes }
        return best
    }

    /// An iterator over the chunk's samples in timestamp order.
    public func makeIterator() -> ChunkIterator {
        ChunkIterator(bytes: bytes)
    }

    private func decoded() -> [Sample] {
        var samples: [Sample] = []
        samples.reserveCapacity(count)
        var iterator = makeIterator()
        while let sample = iterator.next() { samples.append(sample) }
        return samples
    }

    /// This chunk's samples at a larger scale, if that escapes no more values than now.
    private func reencoded(scale: Int) -> Chunk? {
        let chunk = Chunk.encode(decoded(), into: Chunk(decimalScale: scale, mode: mode))
        return chunk.escapes <= escapes ? chunk : nil
    }

    /// Appends `samples` to `chunk` keeping its layout (rescaling a decimal chunk as it goes).
    private static func encode(_ samples: [Sample], into chunk: Chunk) -> Chunk {
        var chunk = chunk
        for sample in samples { chunk.append(timestamp: sample.timestamp, value: sample.value) }
        return chunk
    }

    private mutating func appendEncoded(timestamp: Int64, value: Double) {
        let bits = value.bitPattern
        switch count {
        case 0:
            var varint: [UInt8] = []
            ByteWriter.appendVarint(timestamp, to: &varint)
            stream.writeBytes(varint)
            writeFirstValue(value)
            minTime = timestamp
        case 1:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            var uvarint: [UInt8] = []
            ByteWriter.appendUvarint(delta, to: &uvarint)
            stream.writeBytes(uvarint)
            writeValue(value)
            lastDelta = delta
        default:
            let delta = UInt64(bitPattern: timestamp &- maxTime)
            DeltaOfDeltaBuckets.llmwatch.write(Int64(bitPattern: delta &- lastDelta), to: &stream)
            writeValue(value)
            lastDelta = delta
        }
        maxTime = timestamp
        lastValueBits = bits
        count += 1
        stream.setByte(1, to: UInt8(truncatingIfNeeded: count >> 8))
        stream.setByte(2, to: UInt8(truncatingIfNeeded: count))
    }

    private mutating func writeFirstValue(_ value: Double) {
        guard encoding == .decimal else {
            stream.writeBits(value.bitPattern, count: 64)
            xor.previous = value.bitPattern
            return
        }
        if let mantissa = DecimalValues.mantissa(of: value, scale: scale) {
            stream.writeBit(false)
            var varint: [UInt8] = []
            ByteWriter.appendVarint(mantissa, to: &varint)
            stream.writeBytes(varint)
            lastMantissa = mantissa
        } else {
            stream.writeBit(true)
            stream.writeBits(value.bitPattern, count: 64)
            escapes += 1
        }
    }

    private mutating func writeValue(_ value: Double) {
        guard encoding == .decimal else {
            xor.write(value.bitPattern, to: &stream)
            return
        }
        guard let mantissa = DecimalValues.mantissa(of: value, scale: scale) else {
            mantissas.writeEscape(value.bitPattern, to: &stream)
            escapes += 1
            return
        }
        let delta = mantissa &- lastMantissa
        mantissas.write(mode == .delta ? delta : delta &- lastMantissaDelta, to: &stream)
        lastMantissa = mantissa
        lastMantissaDelta = delta
    }
}
