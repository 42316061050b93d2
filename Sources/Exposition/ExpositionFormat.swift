/// The text formats a ``MetricRegistry`` renders and an ``ExpositionParser`` reads.
public enum ExpositionFormat: Sendable, Hashable {
    /// The Prometheus text format, version 0.0.4: what every Prometheus server understands.
    case text004
    /// OpenMetrics 1.0 text: counters' family names drop `_total`, floats always show a
    /// fraction or exponent, and the page ends with `# EOF`.
    case openMetrics

    /// The `Content-Type` header value to send with a page in this format.
    public var contentType: String {
        switch self {
        case .text004: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format for a scrape from its `Accept` header, as Prometheus's client_golang does
    /// when OpenMetrics is enabled: OpenMetrics only when the header asks for
    /// `application/openmetrics-text` (no version, 0.0.1 or 1.0.0) ahead of any text/plain range
    /// it also accepts; the 0.0.4 text format otherwise, including for a missing or unparsable
    /// header. Media ranges are taken in order of their `q` weight, ties in header order; a range
    /// with `q=0` is ignored.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept, !accept.isEmpty else { return .text004 }
        var ranges: [(quality: Double, position: Int, format: ExpositionFormat?)] = []
        for (position, part) in accept.split(separator: ",").enumerated() {
            let range = MediaRange(part)
            guard range.quality > 0 else { continue }
            ranges.append((range.quality, position, range.format))
        }
        ranges.sort { $0.quality != $1.quality ? $0.quality > $1.quality : $0.position < $1.position }
        for range in ranges {
            if let format = range.format { return format }
        }
        return .text004
    }
}

/// One media range of an `Accept` header, reduced to what negotiation needs.
private struct MediaRange {
    var quality: Double = 1
    var format: ExpositionFormat?

    init(_ text: Substring) {
        let parameters = text.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
        guard let type = parameters.first else { return }
        var version: String?
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "q": quality = Double(pair[1]) ?? 0
            case "version": version = String(pair[1])
            default: break
            }
        }
        switch type {
        case "application/openmetrics-text":
            if version == nil || version == "0.0.1" || version == "1.0.0" { format = .openMetrics }
        case "text/plain":
            if version == nil || version == "0.0.4" { format = .text004 }
        case "*/*", "text/*":
            format = .text004
        default:
            break
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> Substring {
        let slice = self[...]
        guard let first = slice.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        guard let last = slice.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return Substring(slice[first...last])
    }
}
