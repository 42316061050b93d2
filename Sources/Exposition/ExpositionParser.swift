#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thing an ``ExpositionParser`` read from a page.
public enum ExpositionEntry: Sendable, Equatable {
    /// A `# HELP` line: the family name and its help text, unescaped.
    case help(metric: String, text: String)
    /// A `# TYPE` line.
    case type(metric: String, type: MetricType)
    /// An OpenMetrics `# UNIT` line.
    case unit(metric: String, unit: String)
    /// A sample line; read it through the parser's sample accessors (``ExpositionParser/value``,
    /// ``ExpositionParser/labels()``, ...) before calling `next()` again.
    case sample
    /// OpenMetrics's `# EOF`. Nothing follows it.
    case endOfFile
}

/// A streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0 pages, working on bytes.
///
/// `next()` returns one entry per meaningful line; for a sample, the parser keeps the sample's
/// value, timestamp and the byte ranges of its name and labels until the next call, and builds
/// `String`s only when asked. A scraper that caches series by ``seriesBytes`` allocates nothing
/// per sample for series it has seen before.
///
/// The parser is total: any input gives entries or an ``ExpositionParseError`` naming the line,
/// never a trap. Comments other than HELP/TYPE are skipped in the 0.0.4 format; OpenMetrics
/// exemplars (` # {...} value`) are skipped.
public struct ExpositionParser: Sendable {
    /// The page being parsed.
    public let bytes: [UInt8]
    /// The format the page is read as.
    public let format: ExpositionFormat

    var position = 0
    var lineNumber = 0
    var sawEndOfFile = false

    /// The bytes of the current sample's name and label set as written (`name{a="1"}`): a
    /// cache key that is equal for equal series written the same way.
    public internal(set) var seriesBytes: Range<Int> = 0..<0
    /// The bytes of the current sample's metric name.
    public internal(set) var nameBytes: Range<Int> = 0..<0
    /// The current sample's value.
    public internal(set) var value: Double = 0
    /// The current sample's timestamp in milliseconds since the epoch, when the line has one
    /// (OpenMetrics's seconds are converted).
    public internal(set) var timestampMilliseconds: Int64?
    /// Label positions of the current sample: the first `labelSpanCount` entries; the array is
    /// reused from line to line so parsing allocates nothing per sample.
    var labelSpans: [LabelSpan] = []
    var labelSpanCount = 0

    /// Where one label of the current sample sits in ``bytes``.
    struct LabelSpan {
        var name: Range<Int>
        var value: Range<Int>
        /// Whether the value contains backslash escapes to undo.
        var escaped: Bool
    }

    /// Prepares to parse `bytes` as `format`; nothing is read until `next()`.
    public init(bytes: [UInt8], format: ExpositionFormat) {
        self.bytes = bytes
        self.format = format
        labelSpans.reserveCapacity(16)
    }

    /// Prepares to parse a copy of the bytes in `buffer` as `format`.
    public init(buffer: UnsafeRawBufferPointer, format: ExpositionFormat) {
        self.init(bytes: Array(buffer), format: format)
    }

    /// The 1-based number of the line the last entry came from.
    public var line: Int {
        lineNumber
    }

    /// Reads up to the next entry; nil at the end of the page.
    ///
    /// - Throws: ``ExpositionParseError`` for a malformed line, for an OpenMetrics page that
    ///   lacks `# EOF` or has anything after it. Calling `next()` again after an error goes on
    ///   with the following line, for a caller that wants to skip bad lines.
    public mutating func next() throws(ExpositionParseError) -> ExpositionEntry? {
        let bytes = self.bytes
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ExpositionParseError) in
            while position < buffer.count {
                if sawEndOfFile {
                    position = buffer.count
                    throw ExpositionParseError(line: lineNumber + 1, "unexpected content after # EOF")
                }
                lineNumber += 1
                let start = position
                let end = Self.lineEnd(buffer, from: start)
                position = end + 1
                if let entry = try parseLine(buffer, start..<end) { return entry }
            }
            if format == .openMetrics, !sawEndOfFile {
                sawEndOfFile = true
                throw ExpositionParseError(line: lineNumber, "expected # EOF at the end of an OpenMetrics page")
            }
            return nil
        }
    }

    /// The index of the next line feed at or after `start`, or the end of the buffer.
    private static func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = buffer.baseAddress, start < buffer.count else { return buffer.count }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start) else {
            return buffer.count
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: Current sample

    /// The current sample's metric name.
    public func metricName() -> String {
        String(decoding: bytes[nameBytes], as: UTF8.self)
    }

    /// The number of labels of the current sample.
    public var labelCount: Int {
        labelSpanCount
    }

    /// The name of the current sample's label at `index` (0 ..< ``labelCount``).
    public func labelName(at index: Int) -> String {
        guard index >= 0, index < labelSpanCount else { return "" }
        return String(decoding: bytes[labelSpans[index].name], as: UTF8.self)
    }

    /// The unescaped value of the current sample's label at `index` (0 ..< ``labelCount``).
    public func labelValue(at index: Int) -> String {
        guard index >= 0, index < labelSpanCount else { return "" }
        let span = labelSpans[index]
        guard span.escaped else { return String(decoding: bytes[span.value], as: UTF8.self) }
        return Self.unescape(bytes[span.value], quotes: true)
    }

    /// The current sample's labels, unescaped, in the order written.
    public func labels() -> [Label] {
        (0..<labelSpanCount).map { Label(labelName(at: $0), labelValue(at: $0)) }
    }

    /// Undoes `\\`, `\n` and (when `quotes`) `\"`; other backslashes stay as written.
    static func unescape(_ slice: ArraySlice<UInt8>, quotes: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(slice.count)
        var index = slice.startIndex
        while index < slice.endIndex {
            let byte = slice[index]
            if byte == UInt8(ascii: "\\"), index + 1 < slice.endIndex {
                switch slice[index + 1] {
                case UInt8(ascii: "\\"):
                    output.append(UInt8(ascii: "\\"))
                    index += 2
                    continue
                case UInt8(ascii: "n"):
                    output.append(UInt8(ascii: "\n"))
                    index += 2
                    continue
                case UInt8(ascii: "\"") where quotes:
                    output.append(UInt8(ascii: "\""))
                    index += 2
                    continue
                default:
                    break
                }
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
