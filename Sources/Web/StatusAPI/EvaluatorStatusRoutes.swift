import Charts
import Config
import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import Notifier
import NIOCore
import PromQL
import Scrape
import Series

/// What the evaluator's status endpoints and pages read; the evaluator's runtime provides it.
public protocol EvaluatorStatusProvider: Sendable {
    /// Every rule group with its latest state.
    func ruleGroups() async -> [RuleManager.GroupStatus]
    /// Scrape targets, active and dropped.
    func targets() -> (active: [ActiveTarget], dropped: [DroppedTarget])
    /// Where alerts go.
    func notificationDestinations() async -> [Notifier.DestinationStatus]
    /// The web page's contents, charts covering `range` milliseconds back from now.
    func console(range: Int64) async -> ConsoleModel
    /// Re-reads the configuration; nil when it applied, else why not (the old one keeps running).
    func reload() async -> String?
    /// `expr` over the last `range` milliseconds, for the graph page.
    func graph(_ expr: String, range: Int64) async -> GraphResult
}

/// What the graph page shows: the series of an expression, or why it could not be evaluated.
public enum GraphResult: Sendable {
    /// The series.
    case series([MatrixSeries])
    /// The parse or evaluation error.
    case failure(String)
}

/// The evaluator's status API (`/api/v1/rules`, `/api/v1/alerts`, `/api/v1/targets`,
/// `/api/v1/alertmanagers`), `/-/reload`, and its web pages (`/`, `/alerts`, `/slos`, `/models`,
/// `/targets`, `/rules`, `/graph`).
public struct EvaluatorStatusRoutes: Sendable {
    private let provider: any EvaluatorStatusProvider

    /// Routes reading `provider`.
    public init(provider: any EvaluatorStatusProvider) {
        self.provider = provider
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let provider = self.provider
        func api(_ path: String, _ handler: @escaping @Sendable (FormValues) async -> [UInt8]) {
            router.get(RouterPath(path)) { request, _ in
                await PrometheusAPIRoutes.respond(request, handler: path, metrics: nil) { form in
                    APIAnswer(data: await handler(form))
                }
            }
        }
        api("/api/v1/rules") { form in
            var filter = RulesJSON.Filter()
            filter.type = form.first("type").flatMap { $0.isEmpty ? nil : $0 }
            filter.ruleNames = Set(form.all("rule_name[]"))
            filter.groupNames = Set(form.all("rule_group[]"))
            filter.files = Set(form.all("file[]"))
            filter.excludeAlerts = form.first("exclude_alerts") == "true"
            return RulesJSON.rules(await provider.ruleGroups(), filter: filter)
        }
        api("/api/v1/alerts") { _ in
            let groups = await provider.ruleGroups()
            let alerts = groups.flatMap { status in
                status.evaluator.group.rules.indices.flatMap { status.evaluator.activeAlerts(ofRule: $0) }
            }
            return RulesJSON.activeAlerts(alerts)
        }
        api("/api/v1/targets") { form in
            let (active, dropped) = provider.targets()
            let state = form.first("state").map { $0.isEmpty ? "any" : $0 } ?? "any"
            return TargetsJSON.targets(active: active, dropped: dropped, state: state, pool: form.first("scrapePool"))
        }
        api("/api/v1/alertmanagers") { _ in TargetsJSON.alertmanagers(await provider.notificationDestinations()) }

        for method in [HTTPRequest.Method.post, .put] {
            router.on("/-/reload", method: method) { _, _ in
                if let failure = await provider.reload() {
                    return ProbeRoutes.text("failed to reload config: \(failure)\n", status: .internalServerError)
                }
                return ProbeRoutes.text("configuration reloaded\n")
            }
        }

        func page(_ path: String, _ sections: [ConsolePage.Section]) {
            router.get(RouterPath(path)) { request, _ in
                let range = Self.range(request.uri.queryParameters.get("range"))
                let model = await provider.console(range: range)
                return Self.html(ConsolePage.render(model, sections: sections))
            }
        }
        page("/", ConsolePage.Section.allCases)
        for section in ConsolePage.Section.allCases { page("/\(section.rawValue)", [section]) }
        router.get("/graph") { request, _ in
            let parameters = request.uri.queryParameters
            let expr = parameters.get("g0.expr") ?? parameters.get("expr") ?? ""
            let range = Self.range(parameters.get("g0.range_input") ?? parameters.get("range"))
            let result = expr.isEmpty ? GraphResult.series([]) : await provider.graph(expr, range: range)
            return Self.html(GraphPage.render(expr: expr, range: range, result: result))
        }
    }

    /// A chart range such as `1h` or `6h` in milliseconds; one hour when absent or invalid,
    /// at most 30 days.
    static func range(_ text: String?) -> Int64 {
        guard let text, let milliseconds = (try? PromDuration.parse(text))?.milliseconds, milliseconds > 0 else {
            return 3_600_000
        }
        return min(milliseconds, 30 * 86_400_000)
    }

    static func html(_ text: String) -> Response {
        ProbeRoutes.bytes(Array(text.utf8), contentType: "text/html; charset=utf-8")
    }
}

/// `/graph`: an expression over a range as a chart and a table of its latest values (where the
/// alerts' generator URLs point).
enum GraphPage {
    static func render(expr: String, range: Int64, result: GraphResult) -> String {
        var body = """
            <h1>llmwatch · graph</h1><nav><a href="/">overview</a></nav>
            <form method="get" action="/graph"><input name="g0.expr" size="100" value="\(HTML.escape(expr))">
            <input name="range" size="5" value="\(HTML.escape(PromQL.Formatting.duration(range)))"> <button>Run</button></form>

            """
        switch result {
        case .failure(let error):
            body += "<p class=\"err\">\(HTML.escape(error))</p>\n"
        case .series(let series) where !expr.isEmpty:
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            body += SVGChart(title: expr, series: series, range: (now - range)...now).render()
            body += "\n<table><tr><th>Series</th><th>Latest</th></tr>\n"
            for item in series.prefix(200) {
                let latest = item.samples.last.map { PromQL.Formatting.goDefault($0.value) } ?? ""
                body += "<tr><td><code>\(HTML.escape(item.labels.description))</code></td><td>\(HTML.escape(latest))</td></tr>\n"
            }
            body += "</table>\n"
        case .series:
            break
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>llmwatch · graph</title><link rel="icon" href="data:,">
            <style>body{font:14px/1.4 system-ui,sans-serif;max-width:1200px;margin:0 auto;padding:0 16px}
            table{border-collapse:collapse}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}.err{color:#b3261e}
            .chart text{font-size:10px;fill:#555}.chart .title{font-size:12px;fill:#111}.chart .axis line{stroke:#eee}</style>
            </head><body>\(body)</body></html>

            """
    }
}
