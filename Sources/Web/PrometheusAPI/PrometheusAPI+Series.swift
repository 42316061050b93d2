import PromQL
import Series
import TSDB

/// `/api/v1/series`, `/api/v1/labels` and `/api/v1/label/<name>/values`.
extension PrometheusAPI {
    /// The series matching any `match[]` selector with samples between `start` and `end`.
    public func series(_ form: FormValues) async throws(APIError) -> APIAnswer {
        if let problem = form.decodingError { throw APIError(.badData, "error parsing form values: \(problem)") }
        let selectors = form.all("match[]")
        guard !selectors.isEmpty else { throw APIError(.badData, "no match[] parameter provided") }
        let limit = try APIParameters.limit(form["limit"])
        let start = try APIParameters.time(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.time(form, "end", default: APIParameters.maxTime)
        let matcherSets: [[LabelMatcher]]
        do {
            matcherSets = try Self.matcherSets(selectors)
        } catch {
            throw .invalidParameter("match[]", error.message)
        }
        let db = self.db
        var found = try await offPool { _ in try Self.labelSets(db, matcherSets, start, end) }
        var warnings: [String] = []
        if limit > 0, found.count > limit {
            found = Array(found.prefix(limit))
            warnings.append("results truncated due to limit")
        }
        var writer = JSONWriter(capacity: 64 * found.count + 16)
        writer.byte(UInt8(ascii: "["))
        for (index, labels) in found.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            PrometheusJSON.labels(labels, into: &writer)
        }
        writer.byte(UInt8(ascii: "]"))
        return APIAnswer(data: writer.bytes, warnings: warnings)
    }

    /// Every label name of the series matching `match[]` (all series when absent), sorted.
    public func labelNames(_ form: FormValues) async throws(APIError) -> APIAnswer {
        let (limit, start, end, matcherSets) = try labelParameters(form)
        let db = self.db
        var names: [String] = try await offPool { _ in
            if matcherSets.isEmpty, start == APIParameters.minTime, end == APIParameters.maxTime {
                return db.labelNames()
            }
            var names = Set<String>()
            for labels in try Self.labelSets(db, matcherSets.isEmpty ? [[]] : matcherSets, start, end) {
                for label in labels { names.insert(label.name) }
            }
            return names.sorted()
        }
        return Self.listAnswer(&names, limit: limit)
    }

    /// Every value of label `name` on the series matching `match[]` (all series when absent), sorted.
    public func labelValues(_ name: String, _ form: FormValues) async throws(APIError) -> APIAnswer {
        let label = Self.unescapeLabelName(name)
        guard !label.isEmpty else { throw APIError(.badData, "invalid label name: \"\(name)\"") }
        let (limit, start, end, matcherSets) = try labelParameters(form)
        let db = self.db
        var values: [String] = try await offPool { _ in
            if matcherSets.isEmpty, start == APIParameters.minTime, end == APIParameters.maxTime {
                return db.labelValues(label)
            }
            var values = Set<String>()
            for labels in try Self.labelSets(db, matcherSets.isEmpty ? [[]] : matcherSets, start, end) {
                let value = labels[label]
                if !value.isEmpty { values.insert(value) }
            }
            return values.sorted()
        }
        return Self.listAnswer(&values, limit: limit)
    }

    private func labelParameters(_ form: FormValues) throws(APIError)
        -> (Int, Int64, Int64, [[LabelMatcher]])
    {
        let limit = try APIParameters.limit(form["limit"])
        let start = try APIParameters.time(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.time(form, "end", default: APIParameters.maxTime)
        let matcherSets = try Self.matcherSets(form.all("match[]"))
        return (limit, start, end, matcherSets)
    }

    private static func listAnswer(_ values: inout [String], limit: Int) -> APIAnswer {
        var warnings: [String] = []
        if limit > 0, values.count > limit {
            values = Array(values.prefix(limit))
            warnings.append("results truncated due to limit")
        }
        var writer = JSONWriter(capacity: 16 * values.count + 16)
        PrometheusJSON.strings(values, into: &writer)
        return APIAnswer(data: writer.bytes, warnings: warnings)
    }

    /// Parses `match[]` selectors; each must hold a matcher that rejects the empty string.
    static func matcherSets(_ selectors: [String]) throws(APIError) -> [[LabelMatcher]] {
        var sets: [[LabelMatcher]] = []
        for selector in selectors {
            do {
                sets.append(try PromQLParser.parseMetricSelector(selector))
            } catch let error as ParseError {
                if error.message == "vector selector must contain at least one non-empty matcher" {
                    throw APIError(.badData, "match[] must contain at least one non-empty matcher")
                }
                throw APIError(.badData, error.description)
            } catch {
                throw APIError(.badData, "\(error)")
            }
        }
        return sets
    }

    /// The label sets of the series matching any of `matcherSets` between `start` and `end`,
    /// unique and sorted. An empty matcher set selects every series.
    static func labelSets(_ db: DB, _ matcherSets: [[LabelMatcher]], _ start: Int64, _ end: Int64) throws
        -> [Labels]
    {
        if matcherSets.count == 1 {
            return try db.select(matchers: matcherSets[0], minTime: start, maxTime: end).map(\.labels)
        }
        var all = Set<Labels>()
        for matchers in matcherSets {
            for series in try db.select(matchers: matchers, minTime: start, maxTime: end) {
                all.insert(series.labels)
            }
        }
        return all.sorted()
    }

    /// Undoes Prometheus's `U__` escaping of a label name in a URL path (`U__a_2e_b` is `a.b`,
    /// `__` an underscore); other names are returned as they are.
    static func unescapeLabelName(_ name: String) -> String {
        guard name.hasPrefix("U__") else { return name }
        var out = ""
        var rest = Substring(name.dropFirst(3))
        while let first = rest.first {
            if first != "_" {
                out.append(first)
                rest = rest.dropFirst()
                continue
            }
            if rest.hasPrefix("__") {
                out.append("_")
                rest = rest.dropFirst(2)
                continue
            }
            let hex = rest.dropFirst().prefix { $0 != "_" }
            guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code),
                rest.dropFirst(1 + hex.count).first == "_"
            else { return name }
            out.unicodeScalars.append(scalar)
            rest = rest.dropFirst(2 + hex.count)
        }
        return out
    }
}
