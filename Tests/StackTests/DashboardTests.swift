import Foundation
import PromQL
import TestSupport
import Testing
import Yams

/// One PromQL query of a shipped dashboard: a panel target, a template variable's query or an
/// annotation, with Grafana's variables replaced by values PromQL accepts.
struct DashboardQuery: Sendable, CustomStringConvertible {
    /// The dashboard file, relative to the repository root.
    var file: String
    /// Where in the dashboard: `panel "Request Rate" target A`, `variable model`...
    var place: String
    /// The query as written in the dashboard.
    var expr: String
    /// Whether Grafana runs it as an instant query (stat, gauge, table panels set `instant`).
    var instant: Bool

    var description: String { "\(file): \(place)" }

    /// `${name}`, `${name:format}`, `$name` and `[[name]]`.
    static let variable = try? NSRegularExpression(
        pattern: #"\$\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)\]\]"#)

    /// Representative values for Grafana's built-in interval variables.
    static let builtIns = ["__rate_interval": "1m", "__interval": "15s", "__range": "1h", "__range_s": "3600"]

    /// `expr` with `$__rate_interval`, `$__interval`, `$__range` and template variables
    /// (`$model`, `${model}`, `${model:regex}`, `[[model]]`) replaced: built-ins by a duration,
    /// template variables by `.*`, the value Grafana's "All" sends for them (they are only used
    /// in regular-expression matchers).
    var promQL: String {
        guard let regex = Self.variable else { return expr }
        var result = ""
        var last = expr.startIndex
        for match in regex.matches(in: expr, range: NSRange(expr.startIndex..., in: expr)) {
            guard let range = Range(match.range, in: expr) else { continue }
            let name = (1...3).compactMap { Range(match.range(at: $0), in: expr).map { String(expr[$0]) } }.first ?? ""
            result += expr[last..<range.lowerBound] + (Self.builtIns[name] ?? ".*")
            last = range.upperBound
        }
        return result + expr[last...]
    }

    /// Every query of every dashboard under dashboards/ (`DashboardDataTests` runs each against
    /// a live `llmwatch run`).
    static func all() throws -> [DashboardQuery] {
        try ShippedFiles.dashboardFiles.flatMap { file in try queries(in: try Dashboard.load(file), file: file) }
    }

    static func queries(in dashboard: [String: Any], file: String) -> [DashboardQuery] {
        var result: [DashboardQuery] = []
        for panel in Dashboard.panels(dashboard) {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                guard let expr = target["expr"] as? String else { continue }
                let place = "panel \"\(panel["title"] as? String ?? "?")\" target \(target["refId"] as? String ?? "?")"
                result.append(
                    DashboardQuery(file: file, place: place, expr: expr, instant: target["instant"] as? Bool ?? false))
            }
        }
        for variable in Dashboard.variables(dashboard) where variable["type"] as? String == "query" {
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String ?? ""
            let name = variable["name"] as? String ?? "?"
            if let inner = Dashboard.labelValuesSelector(query) {
                result.append(DashboardQuery(file: file, place: "variable \(name)", expr: inner, instant: true))
            } else if query.hasPrefix("query_result("), query.hasSuffix(")") {
                let inner = String(query.dropFirst("query_result(".count).dropLast())
                result.append(DashboardQuery(file: file, place: "variable \(name)", expr: inner, instant: true))
            }
        }
        for annotation in (dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]] ?? [] {
            if let expr = annotation["expr"] as? String {
                result.append(
                    DashboardQuery(
                        file: file, place: "annotation \(annotation["name"] as? String ?? "?")", expr: expr,
                        instant: false))
            }
        }
        return result
    }
}

/// Reading Grafana dashboard JSON.
enum Dashboard {
    static func load(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ShippedFiles.path(file)))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("\(file) is not a JSON object")
        }
        return object
    }

    /// Every panel, rows' nested panels included.
    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        func walk(_ panels: [[String: Any]]) -> [[String: Any]] {
            panels.flatMap { [$0] + walk($0["panels"] as? [[String: Any]] ?? []) }
        }
        return walk(dashboard["panels"] as? [[String: Any]] ?? [])
    }

    static func variables(_ dashboard: [String: Any]) -> [[String: Any]] {
        (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    }

    /// The selector of `label_values(selector, label)`; nil for other queries.
    static func labelValuesSelector(_ query: String) -> String? {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("label_values("), trimmed.hasSuffix(")"),
            let comma = trimmed.range(of: ",", options: .backwards)
        else { return nil }
        return String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: "label_values(".count)..<comma.lowerBound])
    }

    /// Every `datasource` object anywhere in `value`, with the JSON path to it.
    static func datasources(in value: Any, path: String = "") -> [(path: String, datasource: Any)] {
        if let object = value as? [String: Any] {
            return object.sorted { $0.key < $1.key }.flatMap { key, child in
                (key == "datasource" ? [(path + "." + key, child)] : [])
                    + datasources(in: child, path: path + "." + key)
            }
        }
        if let array = value as? [Any] {
            return array.enumerated().flatMap { datasources(in: $1, path: path + "[\($0)]") }
        }
        return []
    }
}

/// The Grafana dashboards: current schema, a `${datasource}` variable and no hard-coded data
/// source, modern panel types, and queries that parse and name metrics that exist.
struct DashboardTests {
    /// The dashboards the seeds ask for, by uid.
    static let expected = [
        "llmwatch-llm-performance", "llmwatch-llm-errors", "llmwatch-model-performance", "llmwatch-slo",
        "llmwatch-cost",
    ]
    /// Panel types Grafana has deprecated or removed (Angular).
    static let deprecatedTypes: Set<String> = [
        "graph", "singlestat", "table-old", "grafana-piechart-panel", "grafana-worldmap-panel",
    ]

    @Test func theSeedsDashboardsShip() throws {
        let uids = try ShippedFiles.dashboardFiles.map { try Dashboard.load($0)["uid"] as? String ?? "" }
        #expect(Set(uids) == Set(Self.expected), "\(uids)")
        #expect(uids.count == Set(uids).count, "duplicate uids: \(uids)")
    }

    @Test(arguments: ShippedFiles.dashboardFiles)
    func structure(file: String) throws {
        let dashboard = try Dashboard.load(file)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 39, "\(file): schemaVersion")
        #expect(dashboard["id"] is NSNull, "\(file): id must be null for provisioning")
        let variable = Dashboard.variables(dashboard).first { $0["name"] as? String == "datasource" }
        #expect(
            variable?["type"] as? String == "datasource" && variable?["query"] as? String == "prometheus",
            "\(file): no datasource variable of type prometheus")
        for (path, datasource) in Dashboard.datasources(in: dashboard)
        where !path.hasSuffix("templating.list[0].datasource") {
            let fields = datasource as? [String: Any]
            let uid = fields?["uid"] as? String
            let builtIn = fields?["type"] as? String == "grafana" && uid == "-- Grafana --"
            #expect(
                builtIn || (uid == "${datasource}" && fields?["type"] as? String == "prometheus"),
                "\(file)\(path): data source \(datasource) is not ${datasource}")
        }
        var ids: Set<Int> = []
        for panel in Dashboard.panels(dashboard) {
            let title = panel["title"] as? String ?? "?"
            let type = panel["type"] as? String ?? ""
            #expect(
                !Self.deprecatedTypes.contains(type), "\(file): panel \"\(title)\" uses the deprecated \(type) type")
            if let id = panel["id"] as? Int { #expect(ids.insert(id).inserted, "\(file): panel id \(id) twice") }
            guard type != "row" else { continue }
            #expect(!(panel["description"] as? String ?? "").isEmpty, "\(file): panel \"\(title)\" has no description")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(file): panel \"\(title)\" has no targets")
            for target in targets {
                #expect(target["refId"] is String, "\(file): panel \"\(title)\": a target without refId")
                if type == "heatmap" {
                    #expect(
                        target["format"] as? String == "heatmap", "\(file): heatmap \"\(title)\" needs format heatmap")
                }
            }
        }
    }

    @Test func everyQueryParses() throws {
        let queries = try DashboardQuery.all()
        #expect(queries.count >= 60)
        for query in queries {
            do {
                _ = try PromQLParser.parse(query.promQL)
            } catch {
                Issue.record("\(query): \(query.promQL): \(error)")
            }
        }
    }

    /// Every metric a dashboard selects is on a live `/metrics` page of `llmwatch probe`,
    /// recorded by a shipped rule, or a series documented to come from elsewhere.
    @Test func everyMetricADashboardReadsExists() async throws {
        let probe = try await LiveProbe.start()
        let live: Set<String>
        do {
            live = try await probe.metricNames()
        } catch {
            await probe.stop()
            throw error
        }
        await probe.stop()
        let known = live.union(try ShippedFiles.recordedNames()).union(ExternalSeries.sources.keys)
        var used: Set<String> = []
        for query in try DashboardQuery.all() {
            guard let expr = try? PromQLParser.parse(query.promQL) else { continue }  // everyQueryParses reports it
            let names = try MetricNames.selected(by: expr)
            used.formUnion(names)
            for name in names.subtracting(known).sorted() {
                Issue.record("\(query) reads \(name), which nothing produces")
            }
        }
        // What the seeds' dashboards show is on ours (a raw metric, or the rule recording it).
        for alternatives in Self.seedMetrics where used.isDisjoint(with: alternatives) {
            Issue.record("no dashboard reads any of \(alternatives.sorted())")
        }
    }

    static let seedMetrics: [Set<String>] = [
        ["llm_request_total", "llm:request_rate_5m"], ["llm_request_duration_seconds_bucket"],
        ["llm_tokens_total", "llm:token_rate_5m"], ["llm_error_total", "llm:error_rate_5m"], ["llm_fallback_total"],
        ["llm_time_to_first_token_seconds_bucket"], ["llm_time_per_output_token_seconds_bucket"],
        ["llm_sla_target_seconds", "llm:sla_target_seconds"], ["model_prediction_latency_seconds_bucket"],
        ["model_predictions_total"], ["model_errors_total"], ["model_online_accuracy"], ["model_resource_usage"],
        ["model_prediction_confidence_bucket"], ["llm_cost_usd_total"], ["llm:cost_usd:spend"], ["llm:cost_budget_usd"],
        ["slo:period_error_budget_remaining:ratio"], ["slo:burn_rate:ratio"], ["slo:objective:ratio"],
    ]

    @Test func substitution() {
        let query = DashboardQuery(
            file: "x", place: "y",
            expr: #"rate(a{model=~"$model", b=~"${b:regex}", c=~"[[c]]"}[$__rate_interval]) * $__range_s"#,
            instant: false)
        #expect(query.promQL == #"rate(a{model=~".*", b=~".*", c=~".*"}[1m]) * 3600"#)
    }

    @Test func provisioningFiles() throws {
        let dashboards =
            try Yams.load(yaml: try ShippedFiles.read("dashboards/provisioning/dashboards.yml")) as? [String: Any]
        let providers = dashboards?["providers"] as? [[String: Any]] ?? []
        #expect(dashboards?["apiVersion"] as? Int == 1)
        #expect(providers.first?["type"] as? String == "file")
        #expect(((providers.first?["options"] as? [String: Any])?["path"] as? String)?.isEmpty == false)
        let sources =
            try Yams.load(yaml: try ShippedFiles.read("dashboards/provisioning/datasources.yml")) as? [String: Any]
        let prometheus = (sources?["datasources"] as? [[String: Any]] ?? []).filter {
            $0["type"] as? String == "prometheus"
        }
        #expect(prometheus.count == 1)
        #expect(prometheus.first?["isDefault"] as? Bool == true, "the dashboards' datasource variable defaults to it")
        #expect(prometheus.first?["url"] as? String == "http://prometheus:9090")
    }
}
