import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Series

/// `llmwatch query 'EXPR'`: runs an instant or range query against a running instance's HTTP
/// API and prints the result as `promtool query instant|range` prints it.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a PromQL query against a running llmwatch (or Prometheus) and print the result.",
        discussion: """
            With --start, --end or --step it is a range query (end defaults to now, start to five minutes \
            before end, step to a 250th of the range and at least 1s); otherwise an instant query at --time \
            (default now). Times are RFC 3339 or Unix seconds; the step a Prometheus duration or seconds.
            """
    )

    @Argument(help: "The PromQL expression.")
    var expression: String

    @Option(help: "Evaluation time of an instant query (RFC 3339 or Unix seconds; default now).")
    var time: String?

    @Option(help: "Start of a range query.")
    var start: String?

    @Option(help: "End of a range query (default now).")
    var end: String?

    @Option(help: "Step of a range query (duration or seconds).")
    var step: String?

    @Option(help: "The server's base URL.")
    var server = "http://127.0.0.1:9479"

    @Option(help: "Output format: text (as promtool prints) or json (the result value).")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text
        case json
    }

    func validate() throws {
        if time != nil, start != nil || end != nil || step != nil {
            throw ValidationError("--time is for an instant query; a range query takes --start, --end and --step")
        }
        guard URL(string: server)?.host != nil else {
            throw ValidationError("--server must be a URL, not \"\(server)\"")
        }
    }

    func run() async throws {
        var fields: [(String, String)] = [("query", expression)]
        let path: String
        if start != nil || end != nil || step != nil {
            path = "/api/v1/query_range"
            let endSeconds = try end.map { try Self.seconds($0, flag: "end") } ?? Date().timeIntervalSince1970
            let startSeconds = try start.map { try Self.seconds($0, flag: "start") } ?? endSeconds - 300
            let defaultStep = max((endSeconds - startSeconds) / 250, 1).rounded(.down)
            fields += [
                ("start", start ?? Self.format(startSeconds)), ("end", end ?? Self.format(endSeconds)),
                ("step", step ?? Self.format(defaultStep)),
            ]
        } else {
            path = "/api/v1/query"
            if let time { fields.append(("time", time)) }
        }
        let body = fields.map { "\(goQueryEscape($0.0))=\(goQueryEscape($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: server.hasSuffix("/") ? String(server.dropLast()) + path : server + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        // One attempt to connect: a server that is down is reported at once, not retried until
        // the query's deadline.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let text: String
        do {
            let response = try await client.execute(request, timeout: .minutes(5))
            text = String(buffer: try await response.body.collect(upTo: 512 << 20))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            printError("query error: cannot reach \(server): \(error)")
            throw ExitCode(1)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            printError("query error: \(server) did not answer with Prometheus API JSON: \(text.prefix(200))")
            throw ExitCode(1)
        }
        guard object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
            printError(
                "query error: \(object["errorType"] as? String ?? "error"): \(object["error"] as? String ?? text)")
            throw ExitCode(1)
        }
        for warning in object["warnings"] as? [String] ?? [] { printError("warning: \(warning)") }
        for info in object["infos"] as? [String] ?? [] { printError("info: \(info)") }
        switch format {
        case .json:
            let result = data["result"] ?? NSNull()
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .fragmentsAllowed])
            print(String(decoding: json, as: UTF8.self))
        case .text:
            print(QueryResultText.render(type: data["resultType"] as? String ?? "", result: data["result"]))
        }
    }

    /// Seconds since the epoch of a `--start`/`--end` value, to compute defaults.
    static func seconds(_ text: String, flag: String) throws -> Double {
        if let seconds = Double(text) { return seconds }
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        throw ValidationError("--\(flag) \"\(text)\" is neither RFC 3339 nor Unix seconds")
    }

    static func format(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }
}

/// The text `promtool query` prints for a result (client_golang's `model` `String()` forms):
/// `up{job="api"} => 1 @[1700000000.123]` per sample, a matrix as each series' labels followed
/// by its points, `scalar: 1 @[...]` for a scalar.
enum QueryResultText {
    static func render(type: String, result: Any?) -> String {
        switch type {
        case "vector":
            return (result as? [[String: Any]] ?? []).map { sample in
                let point = sample["value"] as? [Any] ?? []
                return "\(metric(sample["metric"])) => \(value(point)) @[\(timestamp(point))]"
            }.joined(separator: "\n")
        case "matrix":
            return (result as? [[String: Any]] ?? []).map { series in
                let points = (series["values"] as? [[Any]] ?? []).map { "\(value($0)) @[\(timestamp($0))]" }
                return "\(metric(series["metric"])) =>\n" + points.joined(separator: "\n")
            }.joined(separator: "\n")
        case "scalar":
            let point = result as? [Any] ?? []
            return "scalar: \(value(point)) @[\(timestamp(point))]"
        case "string":
            let point = result as? [Any] ?? []
            return "string: \(value(point)) @[\(timestamp(point))]"
        default:
            return "\(result ?? "")"
        }
    }

    /// `name{a="b", c="d"}`, or `{a="b"}` without a name.
    static func metric(_ object: Any?) -> String {
        var labels = object as? [String: String] ?? [:]
        let name = labels.removeValue(forKey: "__name__") ?? ""
        if labels.isEmpty, !name.isEmpty { return name }
        let pairs = labels.keys.sorted().map { "\($0)=\(quote(labels[$0] ?? ""))" }
        return name + "{" + pairs.joined(separator: ", ") + "}"
    }

    private static func quote(_ value: String) -> String {
        "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func value(_ point: [Any]) -> String {
        point.count > 1 ? "\(point[1])" : ""
    }

    private static func timestamp(_ point: [Any]) -> String {
        guard let first = point.first else { return "" }
        if let number = first as? NSNumber {
            let milliseconds = (number.doubleValue * 1000).rounded()
            let whole = Int64(milliseconds) / 1000
            let fraction = Int64(milliseconds) % 1000
            guard fraction != 0 else { return String(whole) }
            var text = String(format: "%d.%03d", whole, abs(fraction))
            while text.hasSuffix("0") { text.removeLast() }
            return text
        }
        return "\(first)"
    }
}
