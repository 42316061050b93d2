/// Why bytes are not the JSON a decoder expects: not JSON at all (RFC 8259), or a field of the
/// wrong type, which `JSONDecoder` would refuse as well.
struct JSONReadError: Error {}

/// A pull reader over the bytes of one JSON document, for the stream decoders: each event is
/// validated whole (so garbage fails as it would with `JSONDecoder`), but only the fields a
/// decoder asks for become Swift values; everything else is skipped on the bytes.
///
/// The decoders walk the document themselves: ``readObject(_:)`` calls back with each member's
/// key, and the callback reads the value with ``readString()``, ``readInt()``, another
/// ``readObject(_:)`` and so on, or leaves it to be skipped. `null` reads as absent, like an
/// optional `Decodable` field; a value of another type than asked is an error.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// Whether the value of the member the callback is at has been read.
    private var valueRead = false

    /// Nesting deeper than this is refused, as `JSONDecoder` refuses it.
    static let maxDepth = 512

    /// Reads the document in `bytes` with `body`, then checks nothing but whitespace follows it.
    static func read<T>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONReader) throws(JSONReadError) -> T
    ) throws(JSONReadError) -> T {
        var reader = JSONReader(bytes: bytes)
        let value = try body(&reader)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw JSONReadError() }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Values

    /// Reads an object into a value that starts as `empty`, each member through `member`;
    /// nil for `null`.
    mutating func readObject<Value>(
        into empty: Value, _ member: (inout JSONReader, Key, inout Value) throws(JSONReadError) -> Void
    ) throws(JSONReadError) -> Value? {
        var value = empty
        let present = try readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
            try member(&reader, key, &value)
        }
        return present ? value : nil
    }

    /// Reads an object, calling `member` with each key; a member whose value `member` did not
    /// read is skipped. Returns `false` for `null`; anything else is an error.
    @discardableResult
    mutating func readObject(
        _ member: (inout JSONReader, Key) throws(JSONReadError) -> Void
    ) throws(JSONReadError) -> Bool {
        if try readNull() { return false }
        try expect(UInt8(ascii: "{"))
        try enter()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            valueRead = true
            return true
        }
        while true {
            skipWhitespace()
            let key = try readKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            valueRead = false
            try member(&self, key)
            if !valueRead { try skipValue() }
            skipWhitespace()
            let next = try take()
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else { throw JSONReadError() }
        }
        depth -= 1
        valueRead = true
        return true
    }

    /// Reads an array, calling `element` once per element, which must read it. Returns `false`
    /// for `null`.
    @discardableResult
    mutating func readArray(_ element: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) -> Bool {
        if try readNull() { return false }
        try expect(UInt8(ascii: "["))
        try enter()
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                valueRead = false
                try element(&self)
                if !valueRead { try skipValue() }
                skipWhitespace()
                let next = try take()
                if next == UInt8(ascii: "]") { break }
                guard next == UInt8(ascii: ",") else { throw JSONReadError() }
            }
        }
        depth -= 1
        valueRead = true
        return true
    }

    /// Reads the document's top-level object (`null` refused).
    mutating func readRootObject(
        _ member: (inout JSONReader, Key) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
        guard try readObject(member) else { throw JSONReadError() }
    }

    /// Reads an array of objects (`null` elements refused, as for a `[T]` of a struct).
    mutating func readObjects(
        _ member: (inout JSONReader, Key) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
        try readArray { (reader: inout JSONReader) throws(JSONReadError) in
            guard try reader.readObject(member) else { throw JSONReadError() }
        }
    }

    /// A string, or `nil` for `null`.
    mutating func readString() throws(JSONReadError) -> String? {
        skipWhitespace()
        if try readNull() { return nil }
        guard peek() == UInt8(ascii: "\"") else { throw JSONReadError() }
        let string = try scanString()
        valueRead = true
        return string
    }

    /// A whole number that fits in an `Int`, or `nil` for `null`.
    mutating func readInt() throws(JSONReadError) -> Int? {
        guard let (start, end, integral) = try readNumber() else { return nil }
        if integral {
            var value = 0
            var position = start
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            while position < end {
                let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { throw JSONReadError() }
                value = sum
                position += 1
            }
            return value
        }
        guard let double = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)),
            double == double.rounded(), let value = Int(exactly: double)
        else { throw JSONReadError() }
        return value
    }

    /// A number, or `nil` for `null`.
    mutating func readDouble() throws(JSONReadError) -> Double? {
        guard let (start, end, _) = try readNumber() else { return nil }
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
        else { throw JSONReadError() }
        return value
    }

    /// `true` or `false`, or `nil` for `null`.
    mutating func readBool() throws(JSONReadError) -> Bool? {
        skipWhitespace()
        if try readNull() { return nil }
        valueRead = true
        if try readLiteral("true") { return true }
        if try readLiteral("false") { return false }
        throw JSONReadError()
    }

    /// A number or a string (`"code": 429` and `"code": "rate_limit_exceeded"`), or `nil`.
    mutating func readIntOrString() throws(JSONReadError) -> IntOrString? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try readString().map(IntOrString.string) }
        return try readInt().map(IntOrString.int)
    }

    // MARK: Keys

    /// A member's key, compared on its bytes: a plain pointer and a flag, which costs nothing
    /// to make and drop (the decoders meet a key at every member of every event).
    struct Key {
        /// The bytes between the quotes, as written.
        fileprivate let raw: UnsafeBufferPointer<UInt8>
        /// Whether `raw` holds escapes (such as `\u0061`), which a comparison decodes first.
        fileprivate let isEscaped: Bool

        /// Whether the key is `name`.
        static func == (key: Key, name: StaticString) -> Bool {
            guard key.isEscaped else { return key.raw.equals(name) }
            // The key was checked when it was read, quotes included, so it reads again.
            var reader = JSONReader(bytes: UnsafeBufferPointer(start: key.raw.baseAddress! - 1, count: key.raw.count + 2))
            guard let decoded = try? reader.scanString() else { return false }
            return decoded.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    private mutating func readKey() throws(JSONReadError) -> Key {
        guard peek() == UInt8(ascii: "\"") else { throw JSONReadError() }
        let start = index + 1
        let position = plainRun(from: start)
        if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
            index = position + 1
            return Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<position]), isEscaped: false)
        }
        _ = try scanString(materialize: false)
        return Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), isEscaped: true)
    }

    // MARK: Scanning

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func take() throws(JSONReadError) -> UInt8 {
        guard index < bytes.count else { throw JSONReadError() }
        defer { index += 1 }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws(JSONReadError) {
        skipWhitespace()
        guard try take() == byte else { throw JSONReadError() }
    }

    private mutating func enter() throws(JSONReadError) {
        depth += 1
        if depth > Self.maxDepth { throw JSONReadError() }
    }

    mutating func skipWhitespace() {
        // Streams are compact JSON: the next byte is almost never whitespace, and no byte above
        // a space is.
        guard index < bytes.count, bytes[index] <= UInt8(ascii: " ") else { return }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONReadError) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        guard UnsafeBufferPointer(rebasing: bytes[index..<(index + count)]).equals(literal) else { return false }
        index += count
        return true
    }

    private mutating func readNull() throws(JSONReadError) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n") else { return false }
        guard try readLiteral("null") else { throw JSONReadError() }
        valueRead = true
        return true
    }

    /// Scans a number as RFC 8259 writes it; its bounds and whether it has no fraction or
    /// exponent. `nil` for `null`.
    private mutating func readNumber() throws(JSONReadError) -> (Int, Int, Bool)? {
        skipWhitespace()
        if try readNull() { return nil }
        let start = index
        var integral = true
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw JSONReadError() }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard skipDigits() > 0 else { throw JSONReadError() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            integral = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw JSONReadError() }
        }
        valueRead = true
        return (start, index, integral)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// Scans the string at `index` (its opening quote) and returns its value, or `nil` when
    /// `materialize` is false (the string is checked all the same).
    private mutating func scanString(materialize: Bool = true) throws(JSONReadError) -> String? {
        index += 1
        let start = index
        var ascii = true
        index = plainRun(from: index)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return materialize ? String(decoding: raw, as: UTF8.self) : nil }
                guard let string = String(validating: raw, as: UTF8.self) else { throw JSONReadError() }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw JSONReadError() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var utf8 = Array(bytes[start..<index])
        while true {
            let byte = try take()
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else { throw JSONReadError() }
                return string
            case UInt8(ascii: "\\"):
                try unescape(into: &utf8)
            default:
                guard byte >= 0x20 else { throw JSONReadError() }
                utf8.append(byte)
            }
        }
    }

    /// The index of the first byte at or after `start` that a string scan must look at: a quote,
    /// a backslash, a control character or a non-ASCII byte (or the end). Most of a stream's
    /// bytes are in keys and plain ASCII strings, so eight bytes are tested at a time, with the
    /// usual bit tricks for finding a byte in a word.
    private func plainRun(from start: Int) -> Int {
        var position = start
        guard let base = bytes.baseAddress else { return position }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while position + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // A byte below 0x20, equal to a quote or backslash (zero after the xor), or with its
            // high bit set. Borrows can flag bytes after a true hit, never before it, so the
            // lowest flag is exact.
            let below = (word &- ones &* 0x20) & ~word
            let flags = (below | (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | word) & highBits
            if flags != 0 { return position + flags.trailingZeroBitCount / 8 }
            position += 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return position }
            position += 1
        }
        return position
    }

    private mutating func unescape(into utf8: inout [UInt8]) throws(JSONReadError) {
        switch try take() {
        case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard try take() == UInt8(ascii: "\\"), try take() == UInt8(ascii: "u") else { throw JSONReadError() }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw JSONReadError() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw JSONReadError() }
            utf8.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw JSONReadError()
        }
    }

    private mutating func hex4() throws(JSONReadError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try take()
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONReadError()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Skips any value, checking it is well-formed.
    mutating func skipValue() throws(JSONReadError) {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"):
            try readObject { (_: inout JSONReader, _: Key) throws(JSONReadError) in }
        case UInt8(ascii: "["):
            try readArray { (reader: inout JSONReader) throws(JSONReadError) in try reader.skipValue() }
        case UInt8(ascii: "\""):
            _ = try scanString(materialize: false)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try readBool()
        case UInt8(ascii: "n"):
            _ = try readNull()
        default:
            _ = try readNumber()
        }
        valueRead = true
    }
}
