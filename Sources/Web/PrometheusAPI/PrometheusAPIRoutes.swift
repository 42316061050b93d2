import HTTPTypes
import Hummingbird
import NIOCore

/// Puts `PrometheusAPI` on a Hummingbird router under `/api/v1`, GET and POST where Prometheus
/// takes both, with Prometheus's CORS headers on requests that carry an `Origin` (any origin, as
/// its default `--web.cors.origin`).
public struct PrometheusAPIRoutes: Sendable {
    private let api: PrometheusAPI

    /// Routes serving `api`.
    public init(api: PrometheusAPI) {
        self.api = api
    }

    /// The most bytes a form body may have, as Go's `ParseForm` allows.
    static let maxFormBytes = 10 << 20

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let api = self.api
        func preflight(_ path: String) {
            router.on(RouterPath(path), method: .options) { request, _ in
                Response(status: .noContent, headers: Self.corsHeaders(for: request))
            }
        }
        func both(_ path: String, _ handler: @escaping @Sendable (FormValues) async throws(APIError) -> APIAnswer) {
            preflight(path)
            for method in [HTTPRequest.Method.get, .post] {
                router.on(RouterPath(path), method: method) { request, _ in
                    await Self.respond(request, handler: path, metrics: api.metrics) { form throws(APIError) in
                        try await handler(form)
                    }
                }
            }
        }
        func get(_ path: String, _ handler: @escaping @Sendable (FormValues) async throws(APIError) -> APIAnswer) {
            preflight(path)
            router.get(RouterPath(path)) { request, _ in
                await Self.respond(request, handler: path, metrics: api.metrics) { form throws(APIError) in
                    try await handler(form)
                }
            }
        }
        both("/api/v1/query") { form throws(APIError) in try await api.query(form) }
        both("/api/v1/query_range") { form throws(APIError) in try await api.queryRange(form) }
        both("/api/v1/query_exemplars") { form throws(APIError) in try api.queryExemplars(form) }
        both("/api/v1/format_query") { form throws(APIError) in try api.formatQuery(form) }
        both("/api/v1/series") { form throws(APIError) in try await api.series(form) }
        both("/api/v1/labels") { form throws(APIError) in try await api.labelNames(form) }
        preflight("/api/v1/label/{name}/values")
        router.get("/api/v1/label/{name}/values") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await Self.respond(request, handler: "/api/v1/label/:name/values", metrics: api.metrics) {
                form throws(APIError) in
                try await api.labelValues(name, form)
            }
        }
        get("/api/v1/metadata") { form throws(APIError) in try api.metricMetadata(form) }
        get("/api/v1/status/buildinfo") { _ in api.buildInfo() }
        get("/api/v1/status/runtimeinfo") { _ in api.runtimeInfo() }
        get("/api/v1/status/flags") { _ in api.flags() }
        get("/api/v1/status/tsdb") { form throws(APIError) in try await api.tsdbStatus(form) }
    }

    /// Prometheus's CORS headers for its default origin `.*`.
    static let allowAnyOrigin: HTTPFields = [
        HTTPField.Name("Access-Control-Allow-Headers")!: "Accept, Authorization, Content-Type, Origin",
        HTTPField.Name("Access-Control-Allow-Methods")!: "GET, POST, OPTIONS",
        HTTPField.Name("Access-Control-Expose-Headers")!: "Date",
        HTTPField.Name("Vary")!: "Origin",
        HTTPField.Name("Access-Control-Allow-Origin")!: "*",
    ]

    /// The CORS headers for `request`: none without an `Origin` header, as Prometheus's `SetCORS`.
    static func corsHeaders(for request: Request) -> HTTPFields {
        request.headers[.origin] == nil ? [:] : allowAnyOrigin
    }

    /// Reads the request's parameters, runs `body` and renders its answer or error.
    static func respond(
        _ request: Request, handler: String, metrics: QueryMetrics?,
        _ body: (FormValues) async throws(APIError) -> APIAnswer
    ) async -> Response {
        let began = ContinuousClock.now
        let cors = corsHeaders(for: request)
        var request = request
        let response: Response
        do throws(APIError) {
            let form = try await formValues(&request)
            let answer = try await body(form)
            response =
                answer.noContent
                ? Response(status: .noContent, headers: cors)
                : json(answer.body, status: .ok, headers: cors)
        } catch {
            response = json(
                PrometheusJSON.failure(error), status: HTTPResponse.Status(code: error.status), headers: cors)
        }
        if let metrics {
            let elapsed = ContinuousClock.now - began
            let (seconds, attoseconds) = elapsed.components
            metrics.requests.labels(handler, String(response.status.code)).inc()
            metrics.requestDuration.labels(handler).observe(Double(seconds) + Double(attoseconds) / 1e18)
        }
        return response
    }

    /// The URL's query string plus, for a form POST, the body's fields.
    static func formValues(_ request: inout Request) async throws(APIError) -> FormValues {
        var body: [UInt8]?
        if request.method == .post,
            request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        {
            do {
                let buffer = try await request.collectBody(upTo: maxFormBytes)
                body = Array(buffer.readableBytesView)
            } catch {
                throw APIError(.badData, "error parsing form values: http: POST too large")
            }
        }
        return FormValues(query: request.uri.query, body: body)
    }

    static func json(_ body: [UInt8], status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
