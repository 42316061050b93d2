/// What opening the store found on disk: the checkpoint and WAL replayed, and any torn tail cut.
public struct RecoveryReport: Sendable, Equatable {
    /// The checkpoint loaded, if any (a path).
    public var checkpoint: String?
    /// The number of WAL segments replayed after the checkpoint.
    public var segmentsReplayed = 0
    /// The number of WAL records replayed.
    public var recordsReplayed = 0
    /// The number of samples restored from the WAL.
    public var samplesReplayed = 0
    /// Samples in the WAL the head refused on replay (older than the retention cutoff, or for a
    /// series with no series record).
    public var samplesSkipped = 0
    /// Where the WAL was cut because its tail was torn or corrupt; nil when it was whole.
    public var tornTail: TornTail?

    /// A WAL tail that was cut on open.
    public struct TornTail: Sendable, Equatable {
        /// The segment in which the damage starts.
        public var segment: String
        /// The byte offset in that segment where the first bad record starts; the segment now ends there.
        public var offset: Int
        /// How many bytes were cut, over that segment and the later ones deleted.
        public var bytesCut: Int
        /// Why the record at `offset` was refused.
        public var reason: String
    }

    /// Human-readable warnings, one per problem found, for the caller's log.
    public var warnings: [String] {
        guard let tornTail else { return [] }
        return [
            "WAL segment \(tornTail.segment) has a \(tornTail.reason) at byte \(tornTail.offset); "
                + "cut \(tornTail.bytesCut) bytes from there on (samples written in the last moments before a crash)"
        ]
    }
}
