import Exposition

/// Builds a JSON document on bytes, as the query API writes its answers.
///
/// Strings are escaped as Go's `encoding/json` escapes them (Prometheus's answers go through it):
/// `"`, `\` and control characters, and also `<`, `>`, `&`, U+2028 and U+2029, so a label value
/// reads the same from llmwatch as from Prometheus. The writer does not check nesting: callers
/// open and close what they write.
public struct JSONWriter: Sendable {
    /// The document so far.
    public private(set) var bytes: [UInt8] = []

    /// Starts an empty document, reserving `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw JSON text (punctuation, literals).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends one byte of punctuation.
    public mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends `"key":`.
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                let escape = Self.needsEscape(byte, utf8, index)
                if escape == 0 {
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                index += Int(escape)
                runStart = index
                appendEscape(for: byte, utf8, at: index - Int(escape))
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON number for an integer.
    public mutating func integer(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(UInt64(value.magnitude))
        } else {
            unsigned(UInt64(value))
        }
    }

    /// Appends a JSON `true` or `false`.
    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// Appends a plain JSON number for a finite double in Go's shortest `%g`-free form, as
    /// `encoding/json` writes float64 fields (e.g. the seconds in `stats.timings`).
    public mutating func number(_ value: Double) {
        guard value.isFinite else {
            raw("0")
            return
        }
        PrometheusNumber.append(value, to: &bytes, exponentBelow: 1e-6, exponentFrom: 1e21)
    }

    /// Appends the bytes of an already-rendered JSON fragment.
    public mutating func fragment(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    mutating func unsigned(_ value: UInt64) {
        bytes.appendDecimalDigits(value)
    }

    /// How many bytes starting at `index` form a sequence to escape (0 for none).
    private static func needsEscape(_ byte: UInt8, _ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt8 {
        switch byte {
        case 0..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "&"):
            return 1
        case 0xE2:
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            if index + 2 < utf8.count, utf8[index + 1] == 0x80, utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9 {
                return 3
            }
            return 0
        default:
            return 0
        }
    }

    private mutating func appendEscape(for byte: UInt8, _ utf8: UnsafeBufferPointer<UInt8>, at index: Int) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case UInt8(ascii: "\n"): raw("\\n")
        case UInt8(ascii: "\r"): raw("\\r")
        case UInt8(ascii: "\t"): raw("\\t")
        case 0xE2: utf8[index + 2] == 0xA8 ? raw("\\u2028") : raw("\\u2029")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            raw("\\u00")
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        }
    }
}

extension JSONWriter {
    /// Appends a sample value as the API writes it: a quoted string (see `PrometheusNumber`).
    public mutating func sampleValue(_ value: Double) {
        bytes.append(UInt8(ascii: "\""))
        PrometheusNumber.appendValue(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a timestamp given in milliseconds as Unix seconds (see `PrometheusNumber`).
    public mutating func timestamp(_ milliseconds: Int64) {
        PrometheusNumber.appendTimestamp(milliseconds, to: &bytes)
    }
}
