/// The line grammar of both text formats: comments (HELP, TYPE, UNIT, EOF) and sample lines.
/// The 0.0.4 format allows runs of spaces and tabs between tokens and inside label sets, and a
/// trailing comma in a label set; OpenMetrics allows exactly one space and no such comma.
extension ExpositionParser {
    /// Reads the line at `range` (without its line feed); nil for a line that carries nothing
    /// (a blank line or a plain 0.0.4 comment).
    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
        throws(ExpositionParseError) -> ExpositionEntry?
    {
        var cursor = Cursor(bytes: bytes, index: range.lowerBound, end: range.upperBound)
        if format == .text004 {
            cursor.skipBlanks()
            if cursor.atEnd { return nil }
        } else if cursor.atEnd {
            throw failure("empty lines are not allowed in OpenMetrics")
        }
        if cursor.current == UInt8(ascii: "#") {
            return format == .text004 ? try parseTextComment(&cursor) : try parseOpenMetricsComment(&cursor)
        }
        try parseSample(&cursor)
        return .sample
    }

    private func failure(_ message: String) -> ExpositionParseError {
        ExpositionParseError(line: line, message)
    }

    // MARK: Comments

    private func parseTextComment(_ cursor: inout Cursor) throws(ExpositionParseError) -> ExpositionEntry? {
        cursor.index += 1
        cursor.skipBlanks()
        let keyword = cursor.scanToken()
        let isHelp = cursor.equals(keyword, "HELP")
        guard isHelp || cursor.equals(keyword, "TYPE"), cursor.skipBlanks() else { return nil }
        let metric = try metricName(&cursor, after: isHelp ? "# HELP" : "# TYPE")
        cursor.skipBlanks()
        if isHelp {
            let text = Self.unescape(cursor.rest, quotes: false)
            return .help(metric: metric, text: text)
        }
        let word = cursor.scanToken()
        cursor.skipBlanks()
        guard cursor.atEnd, let type = Self.textType(cursor, word) else {
            throw failure(
                "expected counter, gauge, histogram, summary or untyped after # TYPE \(metric), got "
                    + cursor.quoted(word.lowerBound..<cursor.end))
        }
        return .type(metric: metric, type: type)
    }

    private mutating func parseOpenMetricsComment(_ cursor: inout Cursor) throws(ExpositionParseError)
        -> ExpositionEntry
    {
        cursor.index += 1
        guard cursor.consume(UInt8(ascii: " ")) else { throw failure("expected a space after #") }
        let keyword = cursor.scanToken()
        if cursor.equals(keyword, "EOF") {
            guard cursor.atEnd else { throw failure("unexpected text after # EOF") }
            sawEndOfFile = true
            return .endOfFile
        }
        let kind: String
        if cursor.equals(keyword, "HELP") {
            kind = "# HELP"
        } else if cursor.equals(keyword, "TYPE") {
            kind = "# TYPE"
        } else if cursor.equals(keyword, "UNIT") {
            kind = "# UNIT"
        } else {
            throw failure("expected HELP, TYPE, UNIT or EOF after #, got \(cursor.quoted(keyword))")
        }
        guard cursor.consume(UInt8(ascii: " ")) else { throw failure("expected a space after \(kind)") }
        let metric = try metricName(&cursor, after: kind)
        if cursor.atEnd, kind != "# TYPE" {
            return kind == "# HELP" ? .help(metric: metric, text: "") : .unit(metric: metric, unit: "")
        }
        guard cursor.consume(UInt8(ascii: " ")) else {
            throw failure("expected a space after the metric name in \(kind)")
        }
        switch kind {
        case "# HELP":
            return .help(metric: metric, text: Self.unescape(cursor.rest, quotes: true))
        case "# UNIT":
            let unit = cursor.scanName(allowingColon: true) ?? cursor.index..<cursor.index
            guard cursor.atEnd else { throw failure("invalid unit \(cursor.quoted(unit.lowerBound..<cursor.end))") }
            return .unit(metric: metric, unit: cursor.string(unit))
        default:
            let word = cursor.scanToken()
            guard cursor.atEnd, let type = Self.openMetricsType(cursor, word) else {
                throw failure(
                    "expected counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown "
                        + "after # TYPE \(metric), got \(cursor.quoted(word.lowerBound..<cursor.end))")
            }
            return .type(metric: metric, type: type)
        }
    }

    private func metricName(_ cursor: inout Cursor, after keyword: String) throws(ExpositionParseError)
        -> String
    {
        guard let name = cursor.scanName(allowingColon: true),
            cursor.atEnd || cursor.current == UInt8(ascii: " ") || cursor.current == UInt8(ascii: "\t")
        else {
            throw failure("expected metric name after \(keyword)")
        }
        return cursor.string(name)
    }

    private static func textType(_ cursor: Cursor, _ word: Range<Int>) -> MetricType? {
        for type in [MetricType.counter, .gauge, .histogram, .summary, .untyped]
        where cursor.equals(word, type.rawValue) {
            return type
        }
        return nil
    }

    private static func openMetricsType(_ cursor: Cursor, _ word: Range<Int>) -> MetricType? {
        if cursor.equals(word, "unknown") { return .untyped }
        for type in [MetricType.counter, .gauge, .histogram, .gaugeHistogram, .stateSet, .info, .summary]
        where cursor.equals(word, type.rawValue) {
            return type
        }
        return nil
    }

    // MARK: Samples

    private mutating func parseSample(_ cursor: inout Cursor) throws(ExpositionParseError) {
        let lenient = format == .text004
        let start = cursor.index
        guard let name = cursor.scanName(allowingColon: true) else {
            throw failure("expected metric name at the start of a sample, got \(cursor.quoted(cursor.index..<cursor.end))")
        }
        nameBytes = name
        labelSpanCount = 0
        let blanksAfterName = lenient && cursor.skipBlanks()
        var separated = blanksAfterName
        if cursor.consume(UInt8(ascii: "{")) {
            try parseLabels(&cursor, lenient: lenient)
            seriesBytes = start..<cursor.index
            separated = lenient ? cursor.skipBlanks() : cursor.consume(UInt8(ascii: " "))
        } else {
            seriesBytes = name
            if !lenient { separated = cursor.consume(UInt8(ascii: " ")) }
        }
        let valueToken = cursor.scanToken()
        guard separated, !valueToken.isEmpty else {
            throw failure("expected a space and a value after \(cursor.quoted(start..<valueToken.lowerBound))")
        }
        guard let parsed = NumberParsing.double(cursor.bytes, valueToken) else {
            throw failure("invalid sample value \(cursor.quoted(valueToken))")
        }
        value = parsed
        timestampMilliseconds = nil
        if lenient {
            try parseTextTimestamp(&cursor)
        } else {
            try parseOpenMetricsTail(&cursor)
        }
    }

    private mutating func parseLabels(_ cursor: inout Cursor, lenient: Bool) throws(ExpositionParseError) {
        while true {
            if lenient { cursor.skipBlanks() }
            if cursor.consume(UInt8(ascii: "}")) { return }
            guard let labelName = cursor.scanName(allowingColon: false) else {
                throw failure("expected label name or '}', got \(cursor.quoted(cursor.index..<cursor.end))")
            }
            if lenient { cursor.skipBlanks() }
            guard cursor.consume(UInt8(ascii: "=")) else {
                throw failure("expected '=' after label name \(cursor.quoted(labelName))")
            }
            if lenient { cursor.skipBlanks() }
            guard cursor.consume(UInt8(ascii: "\"")) else { throw failure("expected label value in quotes") }
            let valueStart = cursor.index
            var escaped = false
            while cursor.index < cursor.end, cursor.bytes[cursor.index] != UInt8(ascii: "\"") {
                if cursor.bytes[cursor.index] == UInt8(ascii: "\\") {
                    escaped = true
                    cursor.index += 1
                }
                cursor.index += 1
            }
            guard cursor.index < cursor.end else {
                throw failure("label value of \(cursor.quoted(labelName)) has no closing quote")
            }
            let valueRange = valueStart..<cursor.index
            cursor.index += 1
            for other in 0..<labelSpanCount where cursor.equals(labelSpans[other].name, labelName) {
                throw failure("duplicate label name \(cursor.quoted(labelName))")
            }
            let span = LabelSpan(name: labelName, value: valueRange, escaped: escaped)
            if labelSpanCount < labelSpans.count {
                labelSpans[labelSpanCount] = span
            } else {
                labelSpans.append(span)
            }
            labelSpanCount += 1
            if lenient { cursor.skipBlanks() }
            if cursor.consume(UInt8(ascii: ",")) {
                if !lenient, cursor.current == UInt8(ascii: "}") {
                    throw failure("unexpected ',' before '}' in a label set")
                }
                continue
            }
            if cursor.consume(UInt8(ascii: "}")) { return }
            throw failure("expected ',' or '}' after label value of \(cursor.quoted(labelName))")
        }
    }

    private mutating func parseTextTimestamp(_ cursor: inout Cursor) throws(ExpositionParseError) {
        cursor.skipBlanks()
        if cursor.atEnd { return }
        let token = cursor.scanToken()
        guard let timestamp = NumberParsing.int64(cursor.bytes, token) else {
            throw failure("invalid timestamp \(cursor.quoted(token)): expected integer milliseconds")
        }
        timestampMilliseconds = timestamp
        cursor.skipBlanks()
        guard cursor.atEnd else {
            throw failure("unexpected text after the timestamp: \(cursor.quoted(cursor.index..<cursor.end))")
        }
    }

    /// After the value: nothing, or ` timestamp`, then optionally an exemplar ` # {...} v [t]`,
    /// which is skipped.
    private mutating func parseOpenMetricsTail(_ cursor: inout Cursor) throws(ExpositionParseError) {
        if cursor.atEnd { return }
        guard cursor.consume(UInt8(ascii: " ")) else { throw failure("expected a space after the value") }
        if cursor.current != UInt8(ascii: "#") {
            let token = cursor.scanToken()
            guard let timestamp = NumberParsing.openMetricsTimestamp(cursor.bytes, token) else {
                throw failure("invalid timestamp \(cursor.quoted(token)): expected seconds")
            }
            timestampMilliseconds = timestamp
            if cursor.atEnd { return }
            guard cursor.consume(UInt8(ascii: " ")) else { throw failure("expected a space after the timestamp") }
        }
        guard cursor.consume(UInt8(ascii: "#")), cursor.consume(UInt8(ascii: " ")),
            cursor.current == UInt8(ascii: "{")
        else {
            throw failure("expected an exemplar (# {...}) or the end of the line")
        }
    }
}

/// A read position within one line.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    /// The end of the line (the `\n` or the end of the page).
    let end: Int

    var atEnd: Bool { index >= end }

    var current: UInt8? { index < end ? bytes[index] : nil }

    /// The rest of the line.
    var rest: ArraySlice<UInt8> {
        ArraySlice(UnsafeBufferPointer(rebasing: bytes[min(index, end)..<end]))
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < end, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Skips spaces and tabs; returns whether there were any.
    @inline(__always) @discardableResult
    mutating func skipBlanks() -> Bool {
        let start = index
        while index < end, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        return index > start
    }

    /// Up to the next space, tab or end of line.
    @inline(__always)
    mutating func scanToken() -> Range<Int> {
        let start = index
        while index < end, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\t") {
            index += 1
        }
        return start..<index
    }

    /// A metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or, without colons, a label name.
    @inline(__always)
    mutating func scanName(allowingColon: Bool) -> Range<Int>? {
        let start = index
        guard index < end, Self.isNameStart(bytes[index], allowingColon: allowingColon) else { return nil }
        // Locals rather than the stored `index`: this loop runs for every byte of every name.
        var position = index + 1
        let end = self.end
        let bytes = self.bytes
        while position < end {
            let byte = bytes[position]
            // Lower-case letters and `_` first: nearly every byte of a real name.
            guard byte &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_")
                || Self.isNameContinuation(byte, allowingColon: allowingColon)
            else { break }
            position += 1
        }
        index = position
        return start..<index
    }

    /// Whether `byte` may start a name: a letter, `_`, or `:` in metric names.
    @inline(__always)
    private static func isNameStart(_ byte: UInt8, allowingColon: Bool) -> Bool {
        // Bit (byte - 64) is set for A-Z, _ and a-z.
        if byte >= 64 { return byte < 128 && (0x07FF_FFFE_87FF_FFFE as UInt64) >> (byte &- 64) & 1 == 1 }
        return allowingColon && byte == UInt8(ascii: ":")
    }

    /// Whether `byte` may continue a name: a letter, `_`, a digit, or `:` in metric names.
    @inline(__always)
    private static func isNameContinuation(_ byte: UInt8, allowingColon: Bool) -> Bool {
        if byte >= 64 { return byte < 128 && (0x07FF_FFFE_87FF_FFFE as UInt64) >> (byte &- 64) & 1 == 1 }
        // Bit byte is set for 0-9, and for : when allowed.
        let mask: UInt64 = allowingColon ? 0x07FF_0000_0000_0000 : 0x03FF_0000_0000_0000
        return mask >> byte & 1 == 1
    }

    func equals(_ range: Range<Int>, _ word: String) -> Bool {
        guard range.count == word.utf8.count else { return false }
        var offset = range.lowerBound
        for byte in word.utf8 {
            guard bytes[offset] == byte else { return false }
            offset += 1
        }
        return true
    }

    @inline(__always)
    func equals(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        guard left.count == right.count else { return false }
        for offset in 0..<left.count where bytes[left.lowerBound + offset] != bytes[right.lowerBound + offset] {
            return false
        }
        return true
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The bytes in quotes for an error message, cut at 60 bytes.
    func quoted(_ range: Range<Int>) -> String {
        let clamped = range.clamped(to: min(range.lowerBound, end)..<end)
        let cut = clamped.lowerBound..<min(clamped.upperBound, clamped.lowerBound + 60)
        return "\"" + string(cut) + (cut.count < clamped.count ? "…\"" : "\"")
    }
}
