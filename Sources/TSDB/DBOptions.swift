extension DB {
    /// How the store keeps its data; the defaults suit one `llmwatch` process.
    public struct Options: Sendable {
        /// How long samples are kept, measured back from the newest sample (`--storage.retention.time`);
        /// nil keeps everything. Applied at each checkpoint.
        public var retention: Duration?
        /// The longest a committed sample waits for `fsync` (group commit). Samples are handed to
        /// the operating system on every commit, so this bounds loss on power failure, not on a
        /// killed process.
        public var syncInterval: Duration = .seconds(1)
        /// How often a checkpoint compacts the WAL (and retention is applied).
        public var checkpointInterval: Duration = .seconds(15 * 60)
        /// A checkpoint is also taken as soon as the WAL grows past this many bytes.
        public var checkpointWALBytes = 128 << 20
        /// The size at which a WAL segment is closed and a new one started.
        public var segmentSize = 128 << 20
        /// Receives warnings (a torn WAL tail cut on open, a failed background sync or checkpoint).
        public var warn: (@Sendable (String) -> Void)?

        /// Creates options with the defaults.
        public init(retention: Duration? = nil) {
            self.retention = retention
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down and saturated at `Int64.max`.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return sumOverflow ? .max : total
    }
}
