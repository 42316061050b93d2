import Exposition
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Probe

/// The probe's HTTP surface: `/metrics`, `/probe`, `/-/healthy`, `/-/ready`, `/-/reload`, `/`.
///
/// No domain logic lives here: each route parses its request, asks ``ProbeRuntime`` or
/// ``Prober``, and renders the answer.
public struct ProbeRoutes: Sendable {
    private let runtime: ProbeRuntime
    private let logger: Logger

    /// Routes serving `runtime`.
    public init(runtime: ProbeRuntime, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
    }

    /// Adds `/probe` alone to `router` (`llmwatch run`, where the evaluator serves the rest).
    public func registerProbeEndpoint(on router: Router<some RequestContext>) {
        router.get("/probe") { request, _ in
            await probe(request)
        }
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<some RequestContext>) {
        router.get("/metrics") { request, _ in
            let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
            return Self.bytes(runtime.registry.render(format), contentType: format.contentType)
        }
        router.get("/probe") { request, _ in
            await probe(request)
        }
        router.get("/-/healthy") { _, _ in Self.text("llmwatch probe is Healthy.\n") }
        router.get("/-/ready") { _, _ in Self.text("llmwatch probe is Ready.\n") }
        router.post("/-/reload") { _, _ in reload() }
        router.put("/-/reload") { _, _ in reload() }
        router.get("/") { _, _ in
            Self.bytes(Array(ProbeIndexPage.render(runtime.prober.config).utf8), contentType: "text/html; charset=utf-8")
        }
    }

    private func reload() -> Response {
        do {
            try runtime.reload()
            return Self.text("configuration reloaded\n")
        } catch {
            return Self.text("failed to reload config: \(error)\n", status: .internalServerError)
        }
    }

    /// Probes one model on demand, like blackbox_exporter's `/probe`: `target` names a configured
    /// model, `module` one of its prompts (default: the first), and the answer holds that
    /// probe's metrics alone. `debug=true` shows the request and outcome instead.
    private func probe(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        guard let target = query.get("target"), !target.isEmpty else {
            return Self.text("target parameter is missing\n", status: .badRequest)
        }
        let config = runtime.prober.config
        guard let model = config.model(named: target) else {
            let names = config.models.map(\.name).joined(separator: ", ")
            return Self.text("unknown target \"\(target)\"; configured models: \(names)\n", status: .badRequest)
        }
        var prompt = model.prompts[0]
        if let module = query.get("module"), !module.isEmpty {
            guard let chosen = model.prompts.first(where: { $0.name == module }) else {
                let names = model.prompts.map(\.name).joined(separator: ", ")
                return Self.text("unknown module \"\(module)\" for \(target); its prompts: \(names)\n", status: .badRequest)
            }
            prompt = chosen
        }
        var timeout = model.timeout
        if let header = request.headers[HTTPField.Name("X-Prometheus-Scrape-Timeout-Seconds")!],
           let scrapeTimeout = Double(header), scrapeTimeout > 0.5 {
            timeout = min(timeout, .fromSeconds(scrapeTimeout - 0.5))
        }
        let onDemand = OnDemandProbe(config: config, model: model, client: runtime.client, logger: logger)
        let result = await onDemand.run(prompt: prompt, timeout: timeout)
        if query.get("debug") == "true" {
            return Self.text(result.debugText)
        }
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        return Self.bytes(result.registry.render(format), contentType: format.contentType)
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        bytes(Array(body.utf8), contentType: "text/plain; charset=utf-8", status: status)
    }

    static func bytes(_ body: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
