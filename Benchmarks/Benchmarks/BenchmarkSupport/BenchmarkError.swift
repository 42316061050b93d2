/// A benchmark that cannot go on, with what went wrong and where to look.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
