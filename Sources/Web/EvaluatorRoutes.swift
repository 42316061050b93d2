import Exposition
import Hummingbird

/// The evaluator's own HTTP surface besides the query API: `/metrics`, `/-/healthy`, `/-/ready`.
public struct EvaluatorRoutes: Sendable {
    private let registry: MetricRegistry

    /// Routes serving `registry` on `/metrics`.
    public init(registry: MetricRegistry) {
        self.registry = registry
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<some RequestContext>) {
        let registry = self.registry
        router.get("/metrics") { request, _ in
            let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
            return ProbeRoutes.bytes(registry.render(format), contentType: format.contentType)
        }
        router.get("/-/healthy") { _, _ in ProbeRoutes.text("llmwatch evaluator is Healthy.\n") }
        router.get("/-/ready") { _, _ in ProbeRoutes.text("llmwatch evaluator is Ready.\n") }
    }
}
