import Foundation
import Notifier
import Scrape
import Series

/// `/api/v1/targets` and `/api/v1/alertmanagers` in Prometheus's JSON shapes.
enum TargetsJSON {
    /// The `data` of `/api/v1/targets`; `state` is `active`, `dropped` or `any` (the default),
    /// `pool` keeps one scrape pool.
    static func targets(active: [ActiveTarget], dropped: [DroppedTarget], state: String, pool: String?) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        let wantActive = state == "any" || state == "active"
        let wantDropped = state == "any" || state == "dropped"
        writer.raw("{\"activeTargets\":[")
        var first = true
        for target in active where wantActive && (pool == nil || target.scrapePool == pool) {
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.raw("{\"discoveredLabels\":")
            PrometheusJSON.labels(target.discoveredLabels, into: &writer)
            writer.raw(",\"labels\":")
            PrometheusJSON.labels(target.labels, into: &writer)
            writer.raw(",\"scrapePool\":")
            writer.string(target.scrapePool)
            writer.raw(",\"scrapeUrl\":")
            writer.string(target.scrapeURL)
            writer.raw(",\"globalUrl\":")
            writer.string(target.globalURL)
            writer.raw(",\"lastError\":")
            writer.string(target.lastError)
            writer.raw(",\"lastScrape\":")
            writer.string(target.lastScrape.map { GoTime.rfc3339(milliseconds: Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? GoTime.zero)
            writer.raw(",\"lastScrapeDuration\":")
            writer.number(target.lastScrapeDuration)
            writer.raw(",\"health\":")
            writer.string(target.health.rawValue)
            writer.raw(",\"scrapeInterval\":")
            writer.string(target.scrapeInterval)
            writer.raw(",\"scrapeTimeout\":")
            writer.string(target.scrapeTimeout)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.raw("],\"droppedTargets\":[")
        first = true
        var droppedCounts: [String: Int] = [:]
        for target in dropped where pool == nil || target.scrapePool == pool {
            droppedCounts[target.scrapePool, default: 0] += 1
            guard wantDropped else { continue }
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.raw("{\"discoveredLabels\":")
            PrometheusJSON.labels(target.discoveredLabels, into: &writer)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.raw("],\"droppedTargetCounts\":{")
        for (index, name) in Set(active.map(\.scrapePool) + droppedCounts.keys).sorted().enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.key(name)
            writer.integer(droppedCounts[name] ?? 0)
        }
        writer.raw("}}")
        return writer.bytes
    }

    /// The `data` of `/api/v1/alertmanagers`.
    static func alertmanagers(_ destinations: [Notifier.DestinationStatus]) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{\"activeAlertmanagers\":[")
        for (index, destination) in destinations.filter({ $0.kind == "alertmanager" }).enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.raw("{\"url\":")
            writer.string(destination.url)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.raw("],\"droppedAlertmanagers\":[]}")
        return writer.bytes
    }
}
