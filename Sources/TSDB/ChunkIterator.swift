import Series

/// Decodes the samples of stored chunk bytes of any `ChunkEncoding`, in timestamp order.
///
/// An unknown encoding byte, a truncated or a malformed stream ends the iteration early and sets
/// `isMalformed`; it never traps.
public struct ChunkIterator: Sendable {
    private var reader: BitReader
    private let isDecimal: Bool
    private let isLegacy: Bool
    private var legacy: XORIterator?
    private let total: Int
    private var index = 0
    private var timestamp: Int64 = 0
    private var delta: UInt64 = 0
    private var valueBits: UInt64 = 0
    private var xor = XORValueCoder()
    private var scale = 0
    private var mode = DecimalMode.delta
    private var mantissas = MantissaCoder()
    private var mantissa: Int64 = 0
    private var mantissaDelta: Int64 = 0
    /// Whether decoding stopped before the count in the chunk header.
    public private(set) var isMalformed = false

    /// Starts before the first sample of the chunk `bytes`.
    public init(bytes: [UInt8]) {
        let encoding = bytes.first.flatMap(ChunkEncoding.init(rawValue:))
        isDecimal = encoding == .decimal
        isLegacy = encoding == .prometheusXOR
        var headerBytes = 3
        switch encoding {
        case .prometheusXOR:
            let inner = XORIterator(bytes: Array(bytes.dropFirst()))
            legacy = inner
            total = inner.count
            isMalformed = inner.isMalformed
        case .xor where bytes.count >= 3:
            total = Int(bytes[1]) << 8 | Int(bytes[2])
        case .decimal where bytes.count >= 4 && Int(bytes[3] & 0x7f) <= DecimalValues.maxScale:
            total = Int(bytes[1]) << 8 | Int(bytes[2])
            scale = Int(bytes[3] & 0x7f)
            mode = bytes[3] & 0x80 == 0 ? .delta : .deltaOfDelta
            headerBytes = 4
        default:
            total = 0
            isMalformed = true
        }
        reader = BitReader(bytes: bytes, offset: min(headerBytes, bytes.count))
    }

    /// The number of samples the chunk header announces.
    public var count: Int { total }

    /// How many bytes the header and the samples decoded so far occupy, padding included.
    var consumedBytes: Int {
        if let legacy { return legacy.consumedBytes + 1 }
        return (reader.consumedBits + 7) / 8
    }

    /// The next sample, or nil at the end of the chunk (or where a malformed stream stops).
    public mutating func next() -> Sample? {
        if isLegacy { return nextLegacy() }
        guard index < total, !isMalformed else { return nil }
        guard decode() else {
            isMalformed = true
            return nil
        }
        index += 1
        return Sample(timestamp: timestamp, value: Double(bitPattern: valueBits))
    }

    /// Decodes a `prometheusXOR` chunk through `XORIterator`.
    private mutating func nextLegacy() -> Sample? {
        guard var inner = legacy else { return nil }
        let sample = inner.next()
        isMalformed = inner.isMalformed
        legacy = inner
        return sample
    }

    private mutating func decode() -> Bool {
        switch index {
        case 0:
            guard let t = reader.readVarint() else { return false }
            timestamp = t
            return readFirstValue()
        case 1:
            guard let d = reader.readUvarint() else { return false }
            delta = d
        default:
            guard let dod = DeltaOfDeltaBuckets.llmwatch.read(from: &reader) else { return false }
            delta = delta &+ UInt64(bitPattern: dod)
        }
        timestamp = timestamp &+ Int64(bitPattern: delta)
        return readValue()
    }

    private mutating func readFirstValue() -> Bool {
        guard isDecimal else {
            guard let bits = reader.readBits(64) else { return false }
            xor.previous = bits
            valueBits = bits
            return true
        }
        guard let escaped = reader.readBit() else { return false }
        if escaped {
            guard let bits = reader.readBits(64) else { return false }
            valueBits = bits
            return true
        }
        guard let m = reader.readVarint(), m.magnitude <= DecimalValues.maxMantissa.magnitude else { return false }
        mantissa = m
        valueBits = DecimalValues.value(m, scale: scale).bitPattern
        return true
    }

    private mutating func readValue() -> Bool {
        guard isDecimal else {
            guard xor.read(from: &reader) else { return false }
            valueBits = xor.previous
            return true
        }
        switch mantissas.read(from: &reader) {
        case nil:
            return false
        case .escaped(let bits):
            valueBits = bits
        case .difference(let difference):
            let d = mode == .delta ? difference : mantissaDelta &+ difference
            mantissa = mantissa &+ d
            mantissaDelta = d
            valueBits = DecimalValues.value(mantissa, scale: scale).bitPattern
        }
        return true
    }
}
