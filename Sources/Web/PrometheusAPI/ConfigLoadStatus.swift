import Foundation
import Synchronization

/// Whether the last configuration load (the start, or a reload) succeeded, and when one last
/// did: what Prometheus keeps in `prometheus_config_last_reload_successful` and
/// `prometheus_config_last_reload_success_timestamp_seconds` and reports on
/// `/api/v1/status/runtimeinfo` as `reloadConfigSuccess` and `lastConfigTime`.
///
/// A failed reload leaves the running configuration in place, so the time of the last success
/// stays; only the flag drops until a reload succeeds.
public final class ConfigLoadStatus: Sendable {
    private let state: Mutex<(success: Bool, lastSuccess: Date)>

    /// A status whose configuration loaded at `loadedAt`.
    public init(loadedAt: Date = Date()) {
        state = Mutex((true, loadedAt))
    }

    /// Records a load that succeeded or failed at `time`.
    public func record(success: Bool, at time: Date = Date()) {
        state.withLock { state in
            if success {
                state = (true, time)
            } else {
                state.success = false
            }
        }
    }

    /// Whether the last load succeeded.
    public var success: Bool { state.withLock { $0.success } }

    /// When a load last succeeded.
    public var lastSuccess: Date { state.withLock { $0.lastSuccess } }
}
