import PromQL

/// libFuzzer's entry point: parses the input as a PromQL expression and prints what parsed.
///
/// A parse error is a fine outcome; a crash, a hang (libFuzzer's `-timeout`) or runaway memory
/// (`-rss_limit_mb`) is a bug. Printing exercises the printer on every expression that parses,
/// and re-parsing the printout must succeed (the printer's promise).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expr = try? PromQLParser.parse(text) else { return 0 }
    let printed = expr.description
    if (try? PromQLParser.parse(printed)) == nil {
        fatalError("the printer wrote \(printed) for \(text), which does not parse")
    }
    return 0
}
