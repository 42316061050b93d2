import Foundation
import TSDB
import TestSupport
import Testing
import Web

/// `/api/v1/status/runtimeinfo` reports the last configuration load as Prometheus does: a
/// failed reload clears `reloadConfigSuccess` and keeps `lastConfigTime` at the last success
/// (whole seconds, as Prometheus reads it back from its timestamp gauge); a good one sets both.
@Suite struct ConfigLoadStatusTests {
    static func runtimeInfo(_ api: PrometheusAPI) throws -> (success: Bool?, lastConfigTime: String?) {
        let object = try JSONSerialization.jsonObject(with: Data(api.runtimeInfo().data)) as? [String: Any]
        return (object?["reloadConfigSuccess"] as? Bool, object?["lastConfigTime"] as? String)
    }

    @Test func aFailedReloadIsReportedUntilOneSucceeds() throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try DB(path: directory.path)
        defer { try? db.close() }
        let api = PrometheusAPI(db: db)
        let started = try Self.runtimeInfo(api)
        #expect(started.success == true)

        api.configStatus.record(success: true, at: Date(timeIntervalSince1970: 1_700_000_123.75))
        #expect(try Self.runtimeInfo(api) == (true, "2023-11-14T22:15:23Z"))
        api.configStatus.record(success: false, at: Date(timeIntervalSince1970: 1_700_000_200))
        #expect(try Self.runtimeInfo(api) == (false, "2023-11-14T22:15:23Z"))
        #expect(api.configStatus.lastSuccess == Date(timeIntervalSince1970: 1_700_000_123.75))
        api.configStatus.record(success: true, at: Date(timeIntervalSince1970: 1_700_000_300))
        #expect(try Self.runtimeInfo(api) == (true, "2023-11-14T22:18:20Z"))
    }
}
