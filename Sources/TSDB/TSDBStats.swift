/// The store's size and activity, as plain values for the `/metrics` page.
///
/// Names in brackets are the Prometheus metrics each field corresponds to.
public struct TSDBStats: Sendable, Equatable {
    /// Series held (`prometheus_tsdb_head_series`).
    public var series = 0
    /// Chunks held, closed and open (`prometheus_tsdb_head_chunks`).
    public var chunks = 0
    /// Bytes of compressed chunk data held in memory.
    public var chunkBytes = 0
    /// Samples held.
    public var samples = 0
    /// Bytes of label names and values held in memory, a share of the memory the index uses.
    public var labelBytes = 0
    /// Samples appended since the process started (`prometheus_tsdb_head_samples_appended_total`).
    public var samplesAppended = 0
    /// Samples refused as older than their series' newest (`prometheus_tsdb_out_of_order_samples_total`).
    public var outOfOrderSamples = 0
    /// Samples refused for a timestamp already holding another value
    /// (`prometheus_target_scrapes_sample_duplicate_timestamp_total`).
    public var duplicateSamples = 0
    /// Samples refused as older than the retention cutoff (`prometheus_tsdb_out_of_bounds_samples_total`).
    public var outOfBoundsSamples = 0
    /// Bytes of WAL segments on disk (`prometheus_tsdb_wal_storage_size_bytes`).
    public var walBytes = 0
    /// WAL segments on disk.
    public var walSegments = 0
    /// Bytes of the current checkpoint on disk.
    public var checkpointBytes = 0
    /// Checkpoints written since the process started (`prometheus_tsdb_checkpoint_creations_total`).
    public var checkpoints = 0
    /// WAL tails cut on open (`prometheus_tsdb_wal_corruptions_total`).
    public var walCorruptions = 0
    /// Series removed by retention since the process started.
    public var seriesRemoved = 0
    /// Background syncs or checkpoints that failed (see `DB.Options.warn`).
    public var maintenanceFailures = 0
    /// The oldest sample timestamp held (milliseconds); nil while empty (`prometheus_tsdb_head_min_time`).
    public var minTime: Int64?
    /// The newest sample timestamp held (milliseconds); nil while empty (`prometheus_tsdb_head_max_time`).
    public var maxTime: Int64?

    /// Bytes on disk: WAL and checkpoint.
    public var diskBytes: Int { walBytes + checkpointBytes }
}
