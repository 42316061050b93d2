import Foundation
import Charts
import Series

/// The evaluator's web page: firing alerts, SLOs with their error budgets and burn-down,
/// per-model charts, targets, rules and notification destinations. Plain HTML with inline SVG
/// and no script, so it works offline and behind any proxy; it reloads itself every 30 s.
public enum ConsolePage {
    /// The sections a page can show; `/` shows them all, `/alerts`, `/slos`, `/models`,
    /// `/targets` and `/rules` one each.
    public enum Section: String, Sendable, CaseIterable {
        case alerts, slos, models, targets, rules
    }

    /// The page for `model`, showing `sections`.
    public static func render(_ model: ConsoleModel, sections: [Section] = Section.allCases) -> String {
        var body = header(model)
        for section in sections {
            switch section {
            case .alerts: body += alerts(model)
            case .slos: body += objectives(model)
            case .models: body += models(model)
            case .targets: body += targets(model)
            case .rules: body += rules(model)
            }
        }
        let title = sections.count == 1 ? "llmwatch · \(sections[0].rawValue)" : "llmwatch"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="30">
            <link rel="icon" href="data:,">
            <title>\(HTML.escape(title))</title>
            <style>\(style)</style>
            </head><body>
            \(body)
            <footer>llmwatch \(HTML.escape(model.version)) · \(HTML.time(model.time)) · <a href="/metrics">metrics</a> · <a href="/api/v1/alerts">alerts API</a> · <a href="/api/v1/rules">rules API</a></footer>
            </body></html>

            """
    }

    private static let style = """
        body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#1c1e21}
        h1{font-size:20px;margin:16px 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #ddd}
        nav a{margin-right:12px}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
        th{background:#f6f7f9}.firing,.down,.err{color:#b3261e;font-weight:600}.pending,.unknown{color:#a35d00;font-weight:600}
        .up,.ok,.inactive{color:#1b7f3b}code{font-size:12px;white-space:pre-wrap}.labels span{display:inline-block;background:#eef;border-radius:3px;padding:0 4px;margin:1px;font-size:12px}
        .charts{display:flex;flex-wrap:wrap;gap:8px}.chart{border:1px solid #eee;background:#fff}.chart text{font-size:10px;fill:#555}
        .chart .title{font-size:12px;fill:#1c1e21;font-weight:600}.chart .axis line{stroke:#eee}.chart .threshold{stroke:#b3261e;stroke-dasharray:4 3}
        .chart .threshold-label{fill:#b3261e}.chart .empty{font-size:12px}.summary{display:flex;gap:24px;margin:8px 0}.summary div{background:#f6f7f9;padding:8px 12px;border-radius:4px}
        .budget{font-size:18px;font-weight:600}footer{margin:32px 0 16px;color:#777;font-size:12px}
        """

    private static func header(_ model: ConsoleModel) -> String {
        let firing = model.alerts.filter { $0.state == "firing" }.count
        let pending = model.alerts.filter { $0.state == "pending" }.count
        let up = model.targets.filter { $0.health == "up" }.count
        let failing = model.rules.filter { $0.health == "err" }.count
        return """
            <h1>llmwatch</h1>
            <nav><a href="/">overview</a><a href="/alerts">alerts</a><a href="/slos">SLOs</a><a href="/models">models</a><a href="/targets">targets</a><a href="/rules">rules</a></nav>
            <div class="summary">
            <div><span class="\(firing > 0 ? "firing" : "ok")">\(firing) firing</span>, \(pending) pending</div>
            <div>targets \(up)/\(model.targets.count) up</div>
            <div>rules: \(model.rules.count), \(failing) failing</div>
            </div>

            """
    }

    private static func labelChips(_ labels: Labels) -> String {
        "<span class=\"labels\">"
            + labels.map { "<span>\(HTML.escape($0.name))=\(HTML.escape($0.value))</span>" }.joined() + "</span>"
    }

    private static func alerts(_ model: ConsoleModel) -> String {
        var html = "<h2 id=\"alerts\">Alerts</h2>\n"
        if model.alerts.isEmpty {
            html += "<p>No alert is pending or firing.</p>\n"
        } else {
            html += "<table><tr><th>Alert</th><th>State</th><th>Since</th><th>Value</th><th>Labels</th><th>Summary</th></tr>\n"
            // Firing first, then pending; by name within each.
            for alert in model.alerts.sorted(by: { ($0.state == "firing" ? 0 : 1, $0.name) < ($1.state == "firing" ? 0 : 1, $1.name) }) {
                var summary = HTML.escape(alert.annotations["summary"])
                let description = alert.annotations["description"]
                if !description.isEmpty { summary += "<br><small>\(HTML.escape(description))</small>" }
                let runbook = alert.annotations["runbook_url"]
                if !runbook.isEmpty { summary += "<br><a href=\"\(HTML.escape(runbook))\">runbook</a>" }
                let labels = alert.labels.removing(["alertname"])
                html += "<tr><td>\(HTML.escape(alert.name))</td><td class=\"\(alert.state)\">\(alert.state)</td>"
                html += "<td>\(HTML.time(alert.activeAt))</td><td>\(HTML.number(alert.value))</td>"
                html += "<td>\(labelChips(labels))</td><td>\(summary)</td></tr>\n"
            }
            html += "</table>\n"
        }
        if !model.notifications.isEmpty {
            html += "<p>Notifications go to: "
            html += model.notifications.map { destination in
                let state = destination.lastError.map { "<span class=\"err\">failing: \(HTML.escape($0))</span>" } ?? "<span class=\"ok\">ok</span>"
                return "\(HTML.escape(destination.destination)) (\(state), \(destination.queued) queued)"
            }.joined(separator: "; ")
            html += "</p>\n"
        } else {
            html += "<p>No Alertmanager or webhook is configured: alerts go to the log and to this page.</p>\n"
        }
        return html
    }

    private static func objectives(_ model: ConsoleModel) -> String {
        var html = "<h2 id=\"slos\">SLOs and error budgets</h2>\n"
        guard !model.objectives.isEmpty else { return html + "<p>No SLOs are configured (see <code>--slo.file</code>).</p>\n" }
        for objective in model.objectives {
            let remaining = objective.budgetRemaining
            let budgetClass = remaining.map { $0 < 0 ? "err" : $0 < 0.25 ? "pending" : "ok" } ?? "unknown"
            html += "<h3>\(HTML.escape(objective.name))</h3>\n<p>\(HTML.escape(objective.description))</p>\n"
            html += "<div class=\"summary\"><div>objective \(HTML.percent(objective.objective)) over \(HTML.escape(objective.period))</div>"
            html += "<div>achieved \(objective.compliance.map(HTML.percent) ?? "–")</div>"
            html += "<div>error budget left <span class=\"budget \(budgetClass)\">\(remaining.map(HTML.percent) ?? "–")</span></div>"
            let rates = objective.burnRates.map { "\(HTML.escape($0.window)): \(HTML.number($0.rate))×" }.joined(separator: ", ")
            html += "<div>burn rate \(rates.isEmpty ? "–" : rates)</div></div>\n"
            let chart = SVGChart(
                title: "Error budget remaining (\(objective.period))", series: objective.burnDown, unit: "",
                threshold: (0, "budget spent"), range: (model.time - model.chartRange)...model.time)
            html += "<div class=\"charts\">\(chart.render())</div>\n"
        }
        return html
    }

    private static func models(_ model: ConsoleModel) -> String {
        var html = "<h2 id=\"models\">Models</h2>\n"
        guard !model.models.isEmpty else { return html + "<p>No model has been probed yet.</p>\n" }
        for entry in model.models {
            html += "<h3>\(HTML.escape(entry.model)) <small>(\(HTML.escape(entry.provider)))</small></h3>\n<div class=\"charts\">"
            for chart in entry.charts {
                let svg = SVGChart(
                    title: chart.title, series: chart.series, unit: chart.unit,
                    threshold: chart.threshold.map { ($0, "SLA target") }, range: (model.time - model.chartRange)...model.time)
                html += svg.render()
            }
            html += "</div>\n"
        }
        return html
    }

    private static func targets(_ model: ConsoleModel) -> String {
        var html = "<h2 id=\"targets\">Targets</h2>\n"
        guard !model.targets.isEmpty else { return html + "<p>No scrape targets are configured.</p>\n" }
        html += "<table><tr><th>Job</th><th>Endpoint</th><th>Health</th><th>Last scrape</th><th>Duration</th><th>Error</th></tr>\n"
        for target in model.targets {
            html += "<tr><td>\(HTML.escape(target.pool))</td><td>\(HTML.escape(target.url))</td>"
            html += "<td class=\"\(HTML.escape(target.health))\">\(HTML.escape(target.health))</td>"
            html += "<td>\(target.lastScrape.map(HTML.time) ?? "never")</td>"
            html += "<td>\(target.lastDuration.map { HTML.duration(seconds: $0) } ?? "")</td>"
            html += "<td>\(HTML.escape(target.lastError ?? ""))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static func rules(_ model: ConsoleModel) -> String {
        var html = "<h2 id=\"rules\">Rules</h2>\n"
        guard !model.rules.isEmpty else { return html + "<p>No rules are loaded.</p>\n" }
        html += "<table><tr><th>Group</th><th>Rule</th><th>Health</th><th>Last evaluation</th><th>Took</th><th>Expression / error</th></tr>\n"
        for rule in model.rules {
            var detail = "<code>\(HTML.escape(rule.query))</code>"
            if let error = rule.lastError { detail += "<br><span class=\"err\">\(HTML.escape(error))</span>" }
            html += "<tr><td>\(HTML.escape(rule.group))</td><td>\(HTML.escape(rule.name)) <small>(\(rule.kind))</small></td>"
            html += "<td class=\"\(HTML.escape(rule.health))\">\(HTML.escape(rule.health))</td>"
            html += "<td>\(rule.lastEvaluation.map(HTML.time) ?? "never")</td>"
            html += "<td>\(rule.evaluationSeconds.map { HTML.duration(seconds: $0) } ?? "")</td><td>\(detail)</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
