import Charts
import Foundation

/// Writes a report as HTML (with SVG charts, self-contained), CSV (one row per model and
/// figure) or JSON (everything).
public enum ReportRenderer {
    /// The formats of `llmwatch report --format`.
    public enum Format: String, Sendable, CaseIterable {
        case html, csv, json
    }

    /// `report` in `format`.
    public static func render(_ report: ReportModel, as format: Format) -> String {
        switch format {
        case .html: return html(report)
        case .csv: return csv(report)
        case .json: return json(report)
        }
    }

    /// The change from `old` to `new` as a signed percentage, or empty.
    static func change(_ new: Double?, _ old: Double?) -> String {
        guard let new, let old, old != 0 else { return "" }
        let ratio = (new - old) / abs(old)
        return String(format: "%@%.1f%%", ratio >= 0 ? "+" : "", ratio * 100)
    }

    private static func previous(_ report: ReportModel, _ row: ReportModel.ModelFigures) -> ReportModel.ModelFigures? {
        report.previous.first { $0.model == row.model && $0.provider == row.provider }
    }

    // MARK: HTML

    private static func html(_ report: ReportModel) -> String {
        let period = "\(HTML.time(report.from)) – \(HTML.time(report.to))"
        let requests = report.total(\.requests)
        let errors = report.total(\.errors)
        let cost = report.total(\.cost)
        let passed = report.compliance.filter { $0.passed == true }.count
        let judged = report.compliance.filter { $0.passed != nil }.count
        var body = "<h1>LLM performance report</h1>\n<p>\(period) · source \(HTML.escape(report.source))</p>\n"
        body += "<h2>Executive summary</h2>\n<ul>\n"
        body += "<li>Requests: \(requests.map(HTML.number) ?? "–") \(arrow(requests, report.total(\.requests, previous: true)))</li>\n"
        if let requests, requests > 0, let errors {
            body += "<li>Success rate: \(HTML.percent(1 - errors / requests))</li>\n"
        }
        body += "<li>Cost: \(cost.map { String(format: "$%.2f", $0) } ?? "–") \(arrow(cost, report.total(\.cost, previous: true)))</li>\n"
        body += "<li>SLA checks passed: \(passed) of \(judged)</li>\n"
        body += "<li>Incidents: \(report.incidents.count)</li>\n</ul>\n"

        body += "<h2>Models</h2>\n<table><tr><th>Model</th><th>Provider</th><th>Requests</th><th>Error rate</th>"
        body += "<th>Mean latency</th><th>p95 latency</th><th>p95 TTFT</th><th>Availability</th><th>Accuracy</th><th>Cost</th><th>Requests vs previous</th><th>p95 vs previous</th><th>Cost vs previous</th></tr>\n"
        for row in report.models {
            let before = previous(report, row)
            body += "<tr><td>\(HTML.escape(row.model))</td><td>\(HTML.escape(row.provider))</td>"
            body += "<td>\(row.requests.map(HTML.number) ?? "–")</td><td>\(row.errorRatio.map(HTML.percent) ?? "–")</td>"
            body += "<td>\(row.meanLatency.map { HTML.duration(seconds: $0) } ?? "–")</td>"
            body += "<td>\(row.p95Latency.map { HTML.duration(seconds: $0) } ?? "–")</td>"
            body += "<td>\(row.p95TimeToFirstToken.map { HTML.duration(seconds: $0) } ?? "–")</td>"
            body += "<td>\(row.availability.map(HTML.percent) ?? "–")</td><td>\(row.accuracy.map(HTML.percent) ?? "–")</td>"
            body += "<td>\(row.cost.map { String(format: "$%.4f", $0) } ?? "–")</td>"
            body += "<td>\(change(row.requests, before?.requests))</td><td>\(change(row.p95Latency, before?.p95Latency))</td>"
            body += "<td>\(change(row.cost, before?.cost))</td></tr>\n"
        }
        body += "</table>\n"

        body += "<h2>SLA compliance</h2>\n<table><tr><th>Model</th><th>Metric</th><th>Target</th><th>Measured</th><th>Status</th></tr>\n"
        for check in report.compliance {
            let status = check.passed.map { $0 ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>" } ?? "no data"
            body += "<tr><td>\(HTML.escape(check.model))</td><td>\(HTML.escape(check.metric))</td>"
            body += "<td>\(HTML.escape(check.target))</td><td>\(HTML.escape(check.measured))</td><td>\(status)</td></tr>\n"
        }
        body += "</table>\n"

        if !report.objectives.isEmpty {
            body += "<h2>SLOs</h2>\n<table><tr><th>SLO</th><th>Objective</th><th>Achieved</th><th>Error budget left</th></tr>\n"
            for objective in report.objectives {
                body += "<tr><td>\(HTML.escape(objective.name))</td><td>\(objective.objective.map(HTML.percent) ?? "–")</td>"
                body += "<td>\(objective.compliance.map(HTML.percent) ?? "–")</td><td>\(objective.budgetRemaining.map(HTML.percent) ?? "–")</td></tr>\n"
            }
            body += "</table>\n"
        }

        body += "<h2>Incidents</h2>\n"
        if report.incidents.isEmpty {
            body += "<p>No alert fired in the period.</p>\n"
        } else {
            body += "<table><tr><th>Alert</th><th>Severity</th><th>Labels</th><th>Started</th><th>Ended</th></tr>\n"
            for incident in report.incidents {
                body += "<tr><td>\(HTML.escape(incident.alert))</td><td>\(HTML.escape(incident.severity))</td>"
                body += "<td>\(HTML.escape(incident.labels))</td><td>\(HTML.time(incident.start))</td>"
                body += "<td>\(incident.end.map(HTML.time) ?? "still firing")</td></tr>\n"
            }
            body += "</table>\n"
        }

        body += "<h2>Trends</h2>\n<div class=\"charts\">"
        for trend in report.trends {
            body += SVGChart(title: trend.title, series: trend.series, unit: trend.unit, range: report.from...report.to).render()
        }
        body += "</div>\n"
        if !report.failures.isEmpty {
            body += "<h2>Not measured</h2>\n<ul>"
            for failure in report.failures { body += "<li><code>\(HTML.escape(failure))</code></li>" }
            body += "</ul>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>llmwatch report \(period)</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;max-width:1200px;margin:0 auto;padding:0 16px}table{border-collapse:collapse;width:100%}
            td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}th{background:#f6f7f9}.pass{color:#1b7f3b;font-weight:600}
            .fail{color:#b3261e;font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:8px}.chart text{font-size:10px;fill:#555}
            .chart .title{font-size:12px;fill:#111;font-weight:600}.chart .axis line{stroke:#eee}
            </style></head><body>
            \(body)</body></html>

            """
    }

    private static func arrow(_ new: Double?, _ old: Double?) -> String {
        let text = change(new, old)
        return text.isEmpty ? "" : "(\(text) vs the period before)"
    }

    // MARK: CSV

    private static func csv(_ report: ReportModel) -> String {
        var out = "model,provider,requests,errors,error_ratio,mean_latency_seconds,p95_latency_seconds,p95_ttft_seconds,availability,accuracy,cost_usd,sla_target_seconds,previous_requests,previous_p95_latency_seconds,previous_cost_usd\n"
        func field(_ value: Double?) -> String { value.map { CSVNumber.plain($0) } ?? "" }
        for row in report.models {
            let before = previous(report, row)
            let fields = [
                quote(row.model), quote(row.provider), field(row.requests), field(row.errors), field(row.errorRatio),
                field(row.meanLatency), field(row.p95Latency), field(row.p95TimeToFirstToken), field(row.availability),
                field(row.accuracy), field(row.cost), field(row.slaTarget), field(before?.requests),
                field(before?.p95Latency), field(before?.cost),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    private static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: JSON

    private static func json(_ report: ReportModel) -> String {
        func number(_ value: Double?) -> Any { value.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull() }
        func figures(_ row: ReportModel.ModelFigures) -> [String: Any] {
            [
                "model": row.model, "provider": row.provider, "requests": number(row.requests), "errors": number(row.errors),
                "errorRatio": number(row.errorRatio), "meanLatencySeconds": number(row.meanLatency),
                "p95LatencySeconds": number(row.p95Latency), "p95TimeToFirstTokenSeconds": number(row.p95TimeToFirstToken),
                "availability": number(row.availability), "accuracy": number(row.accuracy), "costUSD": number(row.cost),
                "slaTargetSeconds": number(row.slaTarget),
            ]
        }
        let object: [String: Any] = [
            "from": Double(report.from) / 1000, "to": Double(report.to) / 1000, "source": report.source,
            "models": report.models.map(figures), "previous": report.previous.map(figures),
            "compliance": report.compliance.map {
                ["model": $0.model, "metric": $0.metric, "target": $0.target, "measured": $0.measured, "passed": $0.passed as Any? ?? NSNull()]
            },
            "slos": report.objectives.map {
                ["name": $0.name, "objective": number($0.objective), "compliance": number($0.compliance), "budgetRemaining": number($0.budgetRemaining)]
            },
            "incidents": report.incidents.map {
                ["alert": $0.alert, "severity": $0.severity, "labels": $0.labels, "start": Double($0.start) / 1000, "end": $0.end.map { Double($0) / 1000 as Any } ?? NSNull()]
            },
            "notMeasured": report.failures,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Numbers in CSV: plain decimals, no exponent for ordinary magnitudes.
enum CSVNumber {
    static func plain(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
