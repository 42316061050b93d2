import Foundation
import Testing

@testable import Probe

/// The stream decoders' byte-level JSON reader must accept exactly what a JSON parser accepts
/// (garbage is an invalid response, whatever its shape) and read the values it is asked for as
/// `JSONDecoder` would.
@Suite struct JSONReaderTests {
    /// Reads `bytes` as the decoders do, from a buffer pointer.
    static func read<T>(_ bytes: [UInt8], _ body: (inout JSONReader) throws(JSONReadError) -> T) throws(JSONReadError) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONReadError) -> T in try JSONReader.read(buffer, body) }
    }

    /// Documents and whether they are JSON (RFC 8259), the verdict checked against Foundation's
    /// parser too, so the table cannot drift from it (except for ``lenientInFoundation``).
    static let documents: [(String, Bool)] = [
        (#"{}"#, true),
        (#" { "a" : [ 1 , -2.5e+3 , true , false , null , "x" , { } , [ ] ] } "#, true),
        (#"{"a":"\u00e9\ud83d\ude00\n\"\\\/"}"#, true),
        (#"{"é":"ü"}"#, true),
        (#"{"a":1}x"#, false),
        (#"{"a":1,}"#, false),
        (#"[1,]"#, false),
        (#"{"a" 1}"#, false),
        (#"{'a':1}"#, false),
        (#"{"a":01}"#, false),
        (#"{"a":1.}"#, false),
        (#"{"a":.5}"#, false),
        (#"{"a":1e}"#, false),
        (#"{"a":+1}"#, false),
        (#"{"a":tru}"#, false),
        (#"{"a":nul}"#, false),
        (#"{"a":"\x"}"#, false),
        (#"{"a":"\u12"}"#, false),
        ("{\"a\":\"tab\there\"}", false),
        (#"{"a":"open}"#, false),
        (#"{"a":[1,2}"#, false),
        (#"{"a":{"b":1}"#, false),
        (#"{"a":1}}"#, false),
        (#""#, false),
        (#"{"choices": [{"delta""#, false),
        (String(repeating: "[", count: 600) + String(repeating: "]", count: 600), false),
    ]

    /// Trailing commas, which Foundation's parser (swift-foundation, Swift 6.3) lets through;
    /// `JSONDecoder`, which the decoders used before, does so in objects but not in arrays.
    /// The reader follows RFC 8259 and refuses both; no provider sends them.
    static let lenientInFoundation: Set<String> = [#"{"a":1,}"#, #"[1,]"#]

    @Test(arguments: documents)
    func acceptsExactlyJSON(_ document: String, _ valid: Bool) {
        let bytes = Array(document.utf8)
        let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        if !Self.lenientInFoundation.contains(document) {
            #expect(foundation == valid, "the table's verdict disagrees with JSONSerialization")
        }
        let read = (try? Self.read(bytes) { (reader: inout JSONReader) throws(JSONReadError) in
            try reader.skipValue()
        }) != nil
        #expect(read == valid)
    }

    @Test func invalidUTF8InAStringIsNotJSON() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONReadError.self) {
            try Self.read(bytes) { (reader: inout JSONReader) throws(JSONReadError) in try reader.skipValue() }
        }
    }

    /// Reads `document`'s member `key` with `read`.
    static func member<T>(
        _ document: String, _ key: StaticString, _ read: (inout JSONReader) throws(JSONReadError) -> T?
    ) throws(JSONReadError) -> T? {
        var value: T?
        try Self.read(Array(document.utf8)) { (reader: inout JSONReader) throws(JSONReadError) in
            try reader.readRootObject { (reader: inout JSONReader, name) throws(JSONReadError) in
                if name == key { value = try read(&reader) }
            }
        }
        return value
    }

    @Test func readsStringsWithEscapesAndKeysWithEscapes() throws {
        let read = { (reader: inout JSONReader) throws(JSONReadError) -> String? in try reader.readString() }
        #expect(try Self.member(#"{"a":"x\"y\u00e9\ud83d\ude00"}"#, "a", read) == "x\"yé😀")
        #expect(try Self.member(#"{"\u0061":"by escaped key"}"#, "a", read) == "by escaped key")
        #expect(try Self.member(#"{"a":null}"#, "a", read) == nil)
        #expect(try Self.member(#"{"b":"other"}"#, "a", read) == nil)
        #expect(throws: JSONReadError.self) { try Self.member(#"{"a":5}"#, "a", read) }
    }

    @Test func readsNumbersAsJSONDecoderDoes() throws {
        let int = { (reader: inout JSONReader) throws(JSONReadError) -> Int? in try reader.readInt() }
        let double = { (reader: inout JSONReader) throws(JSONReadError) -> Double? in try reader.readDouble() }
        #expect(try Self.member(#"{"n":14}"#, "n", int) == 14)
        #expect(try Self.member(#"{"n":-9223372036854775808}"#, "n", int) == Int.min)
        #expect(try Self.member(#"{"n":null}"#, "n", int) == nil)
        #expect(throws: JSONReadError.self) { try Self.member(#"{"n":9223372036854775808}"#, "n", int) }
        #expect(throws: JSONReadError.self) { try Self.member(#"{"n":1.5}"#, "n", int) }
        #expect(throws: JSONReadError.self) { try Self.member(#"{"n":"14"}"#, "n", int) }
        #expect(try Self.member(#"{"n":12.25}"#, "n", double) == 12.25)
        #expect(try Self.member(#"{"n":-1e3}"#, "n", double) == -1000)
    }

    /// Strings and keys are scanned eight bytes at a time: a byte the scan must stop at (a
    /// quote, an escape, a control character, a non-ASCII byte) or must not stop at (DEL) is put
    /// at every offset of strings of 0-19 `x`s, so each lands at every place in a word and in the
    /// tail after the last whole word. Every verdict and value must be Foundation's.
    @Test func stopsAtEverySpecialByteWhereverItFallsInAWord() throws {
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\u0078"#.utf8), Array("é".utf8), [0x7F], [0x1F], [0x00], [0xFF],
        ]
        /// Keys compare with literals only: `\u0078` is `x`, so such a key must equal `xs[n + 1]`.
        let xs: [StaticString] = ["", "x", "xx", "xxx", "xxxx", "xxxxx", "xxxxxx", "xxxxxxx", "xxxxxxxx", "xxxxxxxxx", "xxxxxxxxxx", "xxxxxxxxxxx", "xxxxxxxxxxxx", "xxxxxxxxxxxxx", "xxxxxxxxxxxxxx", "xxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxxx"]
        var checked = 0
        for length in 0..<20 {
            for offset in 0...length {
                for special in specials {
                    var string = Array(repeating: UInt8(ascii: "x"), count: length)
                    string.insert(contentsOf: special, at: offset)
                    let described = String(decoding: string, as: UTF8.self)
                    // As a value.
                    let value = Array(#"{"k":""#.utf8) + string + Array(#""}"#.utf8)
                    let expected = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: String]
                    let read = try? Self.member(String(decoding: value, as: UTF8.self), "k") { (reader: inout JSONReader) throws(JSONReadError) in
                        try reader.readString()
                    }
                    if special == [0xFF] {
                        // Not UTF-8, so not a String to build the document from: read from the bytes.
                        let bytesRead: Void? = try? Self.read(value) { (reader: inout JSONReader) throws(JSONReadError) in
                            try reader.skipValue()
                        }
                        #expect(bytesRead == nil && expected == nil, "\(described)")
                    } else {
                        #expect(read == expected?["k"], "value \(described)")
                    }
                    // As a key.
                    let key = Array(#"{""#.utf8) + string + Array(#"":"v"}"#.utf8)
                    let expectedKey = ((try? JSONSerialization.jsonObject(with: Data(key))) as? [String: String])?.keys.first
                    var equalsXs: Bool?
                    let parsed: Void? = try? Self.read(key) { (reader: inout JSONReader) throws(JSONReadError) in
                        try reader.readRootObject { (_: inout JSONReader, key) throws(JSONReadError) in
                            equalsXs = key == xs[length + 1]
                        }
                    }
                    #expect((parsed != nil) == (expectedKey != nil), "key \(described)")
                    if let expectedKey {
                        #expect(equalsXs == (expectedKey == String(repeating: "x", count: length + 1)), "key \(described)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == specials.count * (1...20).reduce(0, +))
    }

    @Test func nestedObjectsAndArraysOfObjects() throws {
        let document = #"{"id":"x","choices":[{"delta":{"content":"a"}},{"delta":{}},{"delta":null}],"usage":null}"#
        var contents: [String] = []
        var usage = true
        try Self.read(Array(document.utf8)) { (reader: inout JSONReader) throws(JSONReadError) in
            try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                if key == "choices" {
                    try reader.readObjects { (reader: inout JSONReader, key) throws(JSONReadError) in
                        guard key == "delta" else { return }
                        try reader.readObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                            if key == "content", let content = try reader.readString() { contents.append(content) }
                        }
                    }
                } else if key == "usage" {
                    usage = try reader.readObject { (_: inout JSONReader, _) throws(JSONReadError) in }
                }
            }
        }
        #expect(contents == ["a"])
        #expect(!usage)
        #expect(throws: JSONReadError.self) {
            try Self.read(Array(#"{"choices":[null]}"#.utf8)) { (reader: inout JSONReader) throws(JSONReadError) in
                try reader.readRootObject { (reader: inout JSONReader, key) throws(JSONReadError) in
                    if key == "choices" { try reader.readObjects { (_: inout JSONReader, _) throws(JSONReadError) in } }
                }
            }
        }
        #expect(throws: JSONReadError.self) {
            try Self.read(Array("null".utf8)) { (reader: inout JSONReader) throws(JSONReadError) in
                try reader.readRootObject { (_: inout JSONReader, _) throws(JSONReadError) in }
            }
        }
    }
}
