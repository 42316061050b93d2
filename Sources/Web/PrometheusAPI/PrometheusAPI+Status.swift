import Foundation
import PromQL
import Series
import TSDB

/// `/api/v1/status/*`, `/api/v1/metadata`, `/api/v1/query_exemplars` and `/api/v1/format_query`.
extension PrometheusAPI {
    /// `/api/v1/status/buildinfo`.
    public func buildInfo() -> APIAnswer {
        let info = options.buildInfo
        var writer = JSONWriter()
        writer.raw("{\"version\":")
        writer.string(info.version)
        writer.raw(",\"revision\":")
        writer.string(info.revision)
        writer.raw(",\"branch\":")
        writer.string(info.branch)
        writer.raw(",\"buildUser\":")
        writer.string(info.buildUser)
        writer.raw(",\"buildDate\":")
        writer.string(info.buildDate)
        writer.raw(",\"goVersion\":")
        writer.string(info.goVersion)
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes)
    }

    /// `/api/v1/status/runtimeinfo`, with Prometheus's field names; the Go-specific ones carry
    /// their nearest llmwatch meaning (threads for goroutines, cores for GOMAXPROCS).
    public func runtimeInfo() -> APIAnswer {
        var writer = JSONWriter()
        writer.raw("{\"startTime\":")
        writer.string(Self.rfc3339(startTime))
        writer.raw(",\"CWD\":")
        writer.string(FileManager.default.currentDirectoryPath)
        // As Prometheus: the success flag of the last load, and the last success in whole seconds.
        writer.raw(configStatus.success ? ",\"reloadConfigSuccess\":true" : ",\"reloadConfigSuccess\":false")
        writer.raw(",\"lastConfigTime\":")
        let lastSuccess = configStatus.lastSuccess.timeIntervalSince1970.rounded(.down)
        writer.string(Self.rfc3339(Date(timeIntervalSince1970: lastSuccess)))
        writer.raw(",\"corruptionCount\":")
        writer.integer(db.stats.walCorruptions)
        writer.raw(",\"goroutineCount\":")
        writer.integer(Self.threadCount())
        writer.raw(",\"GOMAXPROCS\":")
        writer.integer(ProcessInfo.processInfo.activeProcessorCount)
        writer.raw(",\"GOMEMLIMIT\":")
        writer.integer(Int(Int64.max))
        writer.raw(",\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":")
        writer.string(options.storageRetention)
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes)
    }

    /// `/api/v1/status/flags`: the command-line flags, names without dashes.
    public func flags() -> APIAnswer {
        var writer = JSONWriter()
        writer.byte(UInt8(ascii: "{"))
        for (index, name) in options.flags.keys.sorted().enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.key(name)
            writer.string(options.flags[name] ?? "")
        }
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes)
    }

    /// `/api/v1/status/tsdb`: head statistics and the top-`limit` (default 10) cardinality lists.
    public func tsdbStatus(_ form: FormValues) async throws(APIError) -> APIAnswer {
        var limit = 10
        if !form["limit"].isEmpty {
            guard let value = Int(form["limit"]), value >= 1 else {
                throw APIError(.badData, "limit must be a positive number")
            }
            limit = value
        }
        let db = self.db
        let top = limit
        let (stats, cardinality) = try await offPool { _ in (db.stats, db.cardinality(limit: top)) }
        var writer = JSONWriter(capacity: 2048)
        writer.raw("{\"headStats\":{\"numSeries\":")
        writer.integer(stats.series)
        writer.raw(",\"numLabelPairs\":")
        writer.integer(cardinality.labelPairs)
        writer.raw(",\"chunkCount\":")
        writer.integer(stats.chunks)
        writer.raw(",\"minTime\":")
        writer.integer(Int(stats.minTime ?? .max))
        writer.raw(",\"maxTime\":")
        writer.integer(Int(stats.maxTime ?? .min))
        writer.raw("},\"seriesCountByMetricName\":")
        Self.entries(cardinality.seriesCountByMetricName, into: &writer)
        writer.raw(",\"labelValueCountByLabelName\":")
        Self.entries(cardinality.labelValueCountByLabelName, into: &writer)
        writer.raw(",\"memoryInBytesByLabelName\":")
        Self.entries(cardinality.memoryInBytesByLabelName, into: &writer)
        writer.raw(",\"seriesCountByLabelValuePair\":")
        Self.entries(cardinality.seriesCountByLabelValuePair, into: &writer)
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes)
    }

    /// `/api/v1/metadata`: `limit` metrics at most, `limit_per_metric` entries each, or one `metric`.
    public func metricMetadata(_ form: FormValues) throws(APIError) -> APIAnswer {
        var limit = -1
        if !form["limit"].isEmpty {
            guard let value = Int(form["limit"]) else { throw APIError(.badData, "limit must be a number") }
            limit = value
        }
        var perMetric = -1
        if !form["limit_per_metric"].isEmpty {
            guard let value = Int(form["limit_per_metric"]) else {
                throw APIError(.badData, "limit_per_metric must be a number")
            }
            perMetric = value
        }
        let metric = form["metric"]
        var all = metadata.metadata()
        if !metric.isEmpty { all = all.filter { $0.key == metric } }
        var writer = JSONWriter()
        writer.byte(UInt8(ascii: "{"))
        var written = 0
        for name in all.keys.sorted() {
            if limit >= 0, written >= limit { break }
            var entries = all[name] ?? []
            if perMetric >= 0 { entries = Array(entries.prefix(perMetric)) }
            if written > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.key(name)
            writer.byte(UInt8(ascii: "["))
            for (index, entry) in entries.enumerated() {
                if index > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.raw("{\"type\":")
                writer.string(entry.type)
                writer.raw(",\"help\":")
                writer.string(entry.help)
                writer.raw(",\"unit\":")
                writer.string(entry.unit)
                writer.byte(UInt8(ascii: "}"))
            }
            writer.byte(UInt8(ascii: "]"))
            written += 1
        }
        writer.byte(UInt8(ascii: "}"))
        return APIAnswer(data: writer.bytes)
    }

    /// `/api/v1/query_exemplars`: parameters checked as Prometheus checks them; the store keeps no
    /// exemplars, so the answer is an empty list (no content when the query selects nothing).
    public func queryExemplars(_ form: FormValues) throws(APIError) -> APIAnswer {
        let start = try APIParameters.time(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.time(form, "end", default: APIParameters.maxTime)
        guard end >= start else { throw APIError(.badData, "end timestamp must not be before start timestamp") }
        let expr = try APIParameters.query(form) { APIError(.badData, $0) }
        guard Self.hasSelector(expr) else { return .empty }
        return APIAnswer(data: Array("[]".utf8))
    }

    /// `/api/v1/format_query`: the query in llmwatch's canonical PromQL spelling.
    public func formatQuery(_ form: FormValues) throws(APIError) -> APIAnswer {
        let expr = try APIParameters.query(form) { .invalidParameter("query", $0) }
        var writer = JSONWriter()
        writer.string(expr.description)
        return APIAnswer(data: writer.bytes)
    }

    private static func hasSelector(_ expr: Expr) -> Bool {
        switch expr {
        case .number, .string: return false
        case .vectorSelector, .matrixSelector: return true
        case .subquery(let s): return hasSelector(s.expr)
        case .paren(let inner), .unary(_, let inner): return hasSelector(inner)
        case .binary(let b): return hasSelector(b.lhs) || hasSelector(b.rhs)
        case .aggregate(let a): return hasSelector(a.expr) || a.param.map(hasSelector) == true
        case .call(let c): return c.args.contains(where: hasSelector)
        }
    }

    private static func entries(_ entries: [TSDBCardinality.Entry], into writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "["))
        for (index, entry) in entries.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.raw("{\"name\":")
            writer.string(entry.name)
            writer.raw(",\"value\":")
            writer.integer(entry.value)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.byte(UInt8(ascii: "]"))
    }

    /// Go's `time.Time` JSON form: RFC 3339 with nanoseconds, trailing zeros dropped, in UTC.
    static func rfc3339(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        var text = Date(timeIntervalSince1970: whole).formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                .timeSeparator(.colon))
        if text.hasSuffix("Z") { text.removeLast() }
        var fraction = String(Int(((seconds - whole) * 1e9).rounded()))
        fraction = String(repeating: "0", count: max(0, 9 - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return text + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    private static func threadCount() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
        else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }
}
