import Exposition

/// libFuzzer's entry point: reads the input as a text 0.0.4 page and as an OpenMetrics page,
/// entry by entry, touching every accessor of each sample.
///
/// Errors are fine (the parser goes on after one, as a scraper that skips bad lines would); a
/// crash, hang or runaway memory is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for format in [ExpositionFormat.text004, .openMetrics] {
        var parser = ExpositionParser(bytes: bytes, format: format)
        var steps = 0
        while steps <= size + 2 {
            steps += 1
            do {
                guard let entry = try parser.next() else { break }
                if entry == .sample {
                    _ = parser.metricName()
                    _ = parser.labels()
                    _ = parser.value
                    _ = parser.timestampMilliseconds
                    _ = parser.seriesBytes
                }
            } catch {
                continue
            }
        }
        if steps > size + 2 { fatalError("the parser returned more entries than the page has lines") }
    }
    return 0
}
