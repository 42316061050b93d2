import Exposition
import TSDB

/// The embedded store's size and activity on `/metrics`, read from `DB.stats` at each scrape and
/// named after Prometheus's `prometheus_tsdb_*` metrics with the `llmwatch_` prefix (where
/// Prometheus has no equivalent, the name says what llmwatch counts).
public struct TSDBMetricsCollector: MetricCollector {
    private let db: DB

    /// A collector reporting `db`.
    public init(db: DB) {
        self.db = db
    }

    public func collect() -> [MetricFamilySnapshot] {
        let stats = db.stats
        var families: [MetricFamilySnapshot] = [
            .gauge(
                name: "llmwatch_tsdb_head_series", help: "Total number of series in the head block.",
                value: Double(stats.series)),
            .gauge(
                name: "llmwatch_tsdb_head_chunks", help: "Total number of chunks in the head block, closed and open.",
                value: Double(stats.chunks)),
            .gauge(
                name: "llmwatch_tsdb_head_chunk_bytes", help: "Bytes of compressed chunk data held in memory.",
                value: Double(stats.chunkBytes)),
            .gauge(
                name: "llmwatch_tsdb_head_samples", help: "Total number of samples held in the head block.",
                value: Double(stats.samples)),
            .gauge(
                name: "llmwatch_tsdb_head_label_bytes", help: "Bytes of label names and values of the series held.",
                value: Double(stats.labelBytes)),
            .counter(
                name: "llmwatch_tsdb_head_samples_appended_total", help: "Total number of appended samples.",
                value: Double(stats.samplesAppended)),
            .counter(
                name: "llmwatch_tsdb_out_of_order_samples_total",
                help: "Total number of out of order samples ingestion failed attempts.",
                value: Double(stats.outOfOrderSamples)),
            .counter(
                name: "llmwatch_tsdb_duplicate_samples_total",
                help: "Total number of samples refused for a timestamp already holding another value.",
                value: Double(stats.duplicateSamples)),
            .counter(
                name: "llmwatch_tsdb_out_of_bounds_samples_total",
                help: "Total number of out of bound samples ingestion failed attempts.",
                value: Double(stats.outOfBoundsSamples)),
            .counter(
                name: "llmwatch_tsdb_head_series_removed_total", help: "Total number of series removed in the head.",
                value: Double(stats.seriesRemoved)),
            .gauge(
                name: "llmwatch_tsdb_wal_storage_size_bytes", help: "Size of the write ahead log directory.",
                value: Double(stats.walBytes)),
            .gauge(
                name: "llmwatch_tsdb_wal_segments", help: "Number of WAL segments on disk.",
                value: Double(stats.walSegments)),
            .gauge(
                name: "llmwatch_tsdb_checkpoint_size_bytes", help: "Size of the current checkpoint on disk.",
                value: Double(stats.checkpointBytes)),
            .counter(
                name: "llmwatch_tsdb_checkpoint_creations_total",
                help: "Total number of checkpoint creations attempted.",
                value: Double(stats.checkpoints)),
            .counter(
                name: "llmwatch_tsdb_wal_corruptions_total", help: "Total number of WAL corruptions.",
                value: Double(stats.walCorruptions)),
            .counter(
                name: "llmwatch_tsdb_maintenance_failures_total",
                help: "Background WAL syncs and checkpoints that failed.",
                value: Double(stats.maintenanceFailures)),
            .gauge(
                name: "llmwatch_tsdb_head_min_time",
                help: "Minimum time bound of the head block, in milliseconds (Int64.max while empty, as Prometheus).",
                value: Double(stats.minTime ?? .max)),
            .gauge(
                name: "llmwatch_tsdb_head_max_time",
                help: "Maximum timestamp of the head block, in milliseconds (Int64.min while empty, as Prometheus).",
                value: Double(stats.maxTime ?? .min)),
        ]
        if let retention = db.options.retention {
            let (seconds, attoseconds) = retention.components
            families.append(
                .gauge(
                    name: "llmwatch_tsdb_retention_limit_seconds",
                    help: "How long to retain samples in storage.",
                    value: Double(seconds) + Double(attoseconds) / 1e18))
        }
        return families
    }
}
