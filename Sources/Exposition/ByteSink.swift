/// A page being written into memory reserved up front: each write is a bounds check and a
/// copy, with no reallocation and no per-append bookkeeping of a growable array.
///
/// A write that does not fit is dropped and marks the sink ``overflowed``; the caller then
/// renders again with more room (a family gained series between sizing and writing).
struct ByteSink: ByteOutput {
    private let base: UnsafeMutablePointer<UInt8>?
    private let capacity: Int
    /// The number of bytes written.
    private(set) var count = 0
    /// Whether a write was dropped for lack of room.
    private(set) var overflowed = false

    /// A sink writing into `buffer` from its start.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress
        capacity = buffer.count
    }

    mutating func append(_ byte: UInt8) {
        guard let base, count < capacity else {
            overflowed = true
            return
        }
        base[count] = byte
        count += 1
    }

    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        guard let base, bytes.count <= capacity - count else {
            overflowed = true
            return
        }
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Renders a page of at most `capacity` bytes by calling `write`, retrying with twice the
    /// room until it fits.
    static func page(capacity: Int, _ write: (inout ByteSink) -> Void) -> [UInt8] {
        var capacity = max(capacity, 256)
        while true {
            var overflowed = false
            let page = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
                var sink = ByteSink(buffer)
                write(&sink)
                overflowed = sink.overflowed
                initializedCount = overflowed ? 0 : sink.count
            }
            if !overflowed { return page }
            capacity *= 2
        }
    }
}
