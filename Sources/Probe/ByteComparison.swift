#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes are exactly `literal`'s, compared with `memcmp`: the stream decoders
    /// compare every key and field name they meet with each one they look for, most of a
    /// different length or first byte (`created` and `choices`), and a collection's
    /// `elementsEqual` would walk each byte through generic code.
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        guard let baseAddress, count > 0 else { return true }
        guard baseAddress.pointee == literal.utf8Start.pointee else { return false }
        return memcmp(baseAddress, literal.utf8Start, count) == 0
    }
}
