import AsyncHTTPClient
import Foundation
import NIOCore
import PromQL
import Series

/// A client of a Prometheus-compatible HTTP query API (Prometheus, Thanos, Mimir,
/// VictoriaMetrics, another llmwatch): `POST /api/v1/query` and `/api/v1/query_range`.
public struct PrometheusAPIClient: Sendable {
    /// Why a query failed.
    public struct QueryFailure: Error, Sendable, CustomStringConvertible {
        /// The API's `errorType` (`bad_data`, `execution`, `timeout`, ...), or `connection`,
        /// `http` and `invalid_response` for failures before an answer could be read.
        public var kind: String
        /// What went wrong, with the server named.
        public var description: String
    }

    /// The API's base URL, e.g. `http://127.0.0.1:9090` (a path prefix is kept).
    public let baseURL: String
    /// Headers sent with every request (authorization, tenant IDs such as `X-Scope-OrgID`).
    public var headers: [String: String]
    /// How long one request may take.
    public var timeout: Duration
    private let client: HTTPClient

    /// A client of the API at `baseURL`, sending with `client` (give it a connect timeout:
    /// AsyncHTTPClient retries a refused connection until the request's deadline otherwise).
    public init(baseURL: String, client: HTTPClient, headers: [String: String] = [:], timeout: Duration = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.timeout = timeout
        self.client = client
    }

    /// Evaluates `expr` at `time` (milliseconds).
    public func instantQuery(_ expr: String, at time: Int64) async throws(QueryFailure) -> QueryValue {
        try await request("/api/v1/query", ["query": expr, "time": Self.seconds(time)])
    }

    /// Evaluates `expr` from `start` to `end` every `step` (milliseconds); always a matrix.
    public func rangeQuery(_ expr: String, start: Int64, end: Int64, step: Int64) async throws(QueryFailure) -> [MatrixSeries] {
        let value = try await request(
            "/api/v1/query_range",
            ["query": expr, "start": Self.seconds(start), "end": Self.seconds(end), "step": Self.seconds(step)])
        guard case .matrix(let series) = value else {
            throw QueryFailure(kind: "invalid_response", description: "\(baseURL): a range query returned no matrix")
        }
        return series
    }

    private func request(_ path: String, _ fields: [String: String]) async throws(QueryFailure) -> QueryValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let body = fields.sorted { $0.key < $1.key }.map { "\(goQueryEscape($0.key))=\(goQueryEscape($0.value))" }
        request.body = .bytes(ByteBuffer(string: body.joined(separator: "&")))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let status: Int
        let data: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            status = Int(response.status.code)
            data = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw QueryFailure(kind: "connection", description: "\(baseURL): \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView))) as? [String: Any]
        guard let object else {
            let start = String(buffer: data).prefix(200)
            throw QueryFailure(kind: "http", description: "\(baseURL)\(path): HTTP \(status), not a JSON answer: \(start)")
        }
        if object["status"] as? String != "success" {
            let kind = object["errorType"] as? String ?? "http"
            let message = object["error"] as? String ?? "HTTP \(status)"
            throw QueryFailure(kind: kind, description: message)
        }
        guard let result = object["data"] as? [String: Any] else {
            throw QueryFailure(kind: "invalid_response", description: "\(baseURL)\(path): the answer has no data")
        }
        do {
            return try ResultDecoder.decode(result)
        } catch {
            throw QueryFailure(kind: "invalid_response", description: "\(baseURL)\(path): \(error)")
        }
    }

    /// Milliseconds as the API's Unix seconds with millisecond precision.
    static func seconds(_ milliseconds: Int64) -> String {
        let whole = milliseconds / 1000
        let fraction = abs(milliseconds % 1000)
        if fraction == 0 { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return (milliseconds < 0 && whole == 0 ? "-" : "") + String(whole) + "." + digits
    }
}

/// Reads the `data` object of a query answer into engine values.
enum ResultDecoder {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ data: [String: Any]) throws -> QueryValue {
        let type = data["resultType"] as? String
        switch type {
        case "vector":
            let items = data["result"] as? [[String: Any]] ?? []
            return .vector(
                try items.map { item in
                    let (timestamp, value) = try point(item["value"])
                    return VectorSample(labels: try labels(item["metric"]), timestamp: timestamp, value: value)
                })
        case "matrix":
            let items = data["result"] as? [[String: Any]] ?? []
            return .matrix(
                try items.map { item in
                    let points = try (item["values"] as? [Any] ?? []).map { try point($0) }
                    return MatrixSeries(
                        labels: try labels(item["metric"]),
                        samples: try points.map { Sample(timestamp: $0.0, value: $0.1) })
                })
        case "scalar":
            let (timestamp, value) = try point(data["result"])
            return .scalar(timestamp: timestamp, value: value)
        case "string":
            guard let pair = data["result"] as? [Any], pair.count == 2, let text = pair[1] as? String else {
                throw Malformed(description: "malformed string result")
            }
            let (timestamp, _) = try point([pair[0], "0"])
            return .string(timestamp: timestamp, value: text)
        default:
            throw Malformed(description: "unknown result type \(type ?? "none")")
        }
    }

    private static func labels(_ object: Any?) throws -> Labels {
        guard let object = object as? [String: String] else { throw Malformed(description: "malformed metric labels") }
        return Labels(object)
    }

    /// `[1435781451.781, "1"]` as milliseconds and a value.
    private static func point(_ object: Any?) throws -> (Int64, Double) {
        guard let pair = object as? [Any], pair.count == 2, let text = pair[1] as? String else {
            throw Malformed(description: "malformed sample")
        }
        let seconds: Double
        if let number = pair[0] as? NSNumber {
            seconds = number.doubleValue
        } else {
            throw Malformed(description: "malformed sample timestamp")
        }
        guard let value = Self.value(text) else { throw Malformed(description: "malformed sample value \"\(text)\"") }
        return (Int64((seconds * 1000).rounded()), value)
    }

    static func value(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}
