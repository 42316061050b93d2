/// The parameters of an API request: the URL's query string and, for a POST with an
/// `application/x-www-form-urlencoded` body, the body's fields, as Go's `Request.Form` holds them
/// (body values first, so `first` prefers the body, as `FormValue` does).
public struct FormValues: Sendable, Equatable {
    private var pairs: [(name: String, value: String)] = []
    /// The first decoding problem met (a bad `%` escape, a `;` separator), if any. Pairs that did
    /// not decode are left out, as Go leaves them out; the series endpoint reports the problem.
    public private(set) var decodingError: String?

    /// Creates an empty set of values.
    public init() {}

    /// Decodes `body` (a form body) followed by `query` (a URL query string).
    public init(query: String?, body: [UInt8]? = nil) {
        if let body { append(encoded: body) }
        if let query { append(encoded: Array(query.utf8)) }
    }

    /// The first value of `name`, or nil when absent.
    public func first(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The first value of `name`, or the empty string, as Go's `FormValue` returns it.
    public subscript(name: String) -> String {
        first(name) ?? ""
    }

    /// Every value of `name`, in order (`match[]` is repeated).
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// Adds a decoded pair.
    public mutating func add(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    /// Decodes `name=value&name=value` pairs: `+` is a space, `%XX` a byte.
    mutating func append(encoded: [UInt8]) {
        for piece in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if piece.contains(UInt8(ascii: ";")) {
                if decodingError == nil { decodingError = "invalid semicolon separator in query" }
                continue
            }
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { piece[piece.startIndex..<$0] } ?? piece[...]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? []
            guard let name = Self.unescape(rawName), let value = Self.unescape(rawValue) else {
                if decodingError == nil { decodingError = "invalid URL escape \"\(Self.badEscape(piece))\"" }
                continue
            }
            pairs.append((name, value))
        }
    }

    /// Undoes `+` and `%XX`; nil for a malformed escape.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first malformed `%` escape of `bytes`, as Go's `EscapeError` quotes it.
    static func badEscape(_ bytes: ArraySlice<UInt8>) -> String {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%") {
                let end = min(index + 3, bytes.endIndex)
                let sequence = bytes[index..<end]
                if sequence.count < 3 || hexValue(sequence.dropFirst().first ?? 0) == nil
                    || hexValue(sequence.last ?? 0) == nil
                {
                    return String(decoding: sequence, as: UTF8.self)
                }
                index = end
            } else {
                index += 1
            }
        }
        return ""
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    public static func == (lhs: FormValues, rhs: FormValues) -> Bool {
        lhs.pairs.map(\.name) == rhs.pairs.map(\.name) && lhs.pairs.map(\.value) == rhs.pairs.map(\.value)
            && lhs.decodingError == rhs.decodingError
    }
}
