import Foundation

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
public func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// A duration in seconds.
public func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

/// Prints a line and flushes it, so a long run shows its progress.
public func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// `value` with `digits` decimals (NaN as `-`).
public func fixed(_ value: Double, _ digits: Int = 3) -> String {
    value.isNaN ? "-" : String(format: "%.\(digits)f", value)
}

/// The value after `name` on the command line, if any.
public func option(_ name: String, in arguments: [String] = CommandLine.arguments) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
