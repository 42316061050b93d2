/// One float sample of a series.
public struct Sample: Hashable, Sendable {
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// The sample value; a stale marker is a special NaN (see `Sample.staleNaN`).
    public var value: Double

    /// Creates a sample.
    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }

    /// The bit pattern Prometheus writes to mark a series stale.
    public static let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002

    /// The stale-marker value: a NaN with Prometheus's `StaleNaN` bit pattern.
    public static let staleNaN = Double(bitPattern: staleNaNBits)

    /// Whether `value` is a stale marker rather than an ordinary NaN.
    public static func isStaleMarker(_ value: Double) -> Bool {
        value.bitPattern == staleNaNBits
    }

    /// Whether this sample is a stale marker.
    public var isStaleMarker: Bool { Sample.isStaleMarker(value) }
}
