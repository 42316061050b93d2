import Foundation
import Probe

/// The small HTML page at `/`: links to the endpoints and the configured models.
enum ProbeIndexPage {
    static func render(_ config: ProbeConfig) -> String {
        var rows = ""
        for model in config.models {
            let schedules = model.checks.map { "\(escape($0.operation)): \(escape($0.scheduleText))" }.joined(separator: "<br>")
            let probeLink = "/probe?target=\(model.name.addingPercentEncodingForQuery)&amp;debug=true"
            rows += "<tr><td>\(escape(model.name))</td><td>\(escape(model.provider.rawValue))</td><td>\(escape(model.model))</td>"
            rows += "<td>\(schedules)</td><td><a href=\"\(probeLink)\">probe now</a></td></tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>llmwatch probe</title></head>
            <body>
            <h1>llmwatch probe</h1>
            <p><a href="/metrics">Metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Ready</a></p>
            <p>Configuration: \(escape(config.source))</p>
            <table border="1" cellpadding="4">
            <tr><th>Model</th><th>Provider</th><th>API model</th><th>Schedules</th><th></th></tr>
            \(rows)</table>
            </body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension String {
    /// The string percent-encoded for use as a query parameter value.
    var addingPercentEncodingForQuery: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
