import Synchronization

/// The metric families of a process and the collectors it asks at scrape time; renders them as
/// one `/metrics` page.
///
/// Registration is idempotent: asking again for a family with the same name, type, help, label
/// names (and buckets) returns the existing family. Families render in registration order,
/// then the collectors' families in collector order.
///
/// A family registered without label names has exactly one series, written (at 0) from the
/// start; a family with label names shows only its `# HELP` and `# TYPE` lines until a series is
/// created with `labels(...)`. Keep the returned ``Counter``/``Gauge``/``Histogram`` of a hot
/// path: `labels(...)` looks the series up by its values on each call.
///
/// Each registration method comes twice: `counter(...)` stops the process on a programmer error
/// (an invalid name, a conflicting registration), `makeCounter(...)` throws it instead.
public final class MetricRegistry: Sendable {
    private struct State {
        var families: [any RenderableFamily] = []
        var byName: [String: any RenderableFamily] = [:]
        var collectors: [any MetricCollector] = []
    }

    private let state = Mutex(State())
    /// The size of the last page, so the next render reserves its buffer once.
    private let lastPageSize = Atomic<Int>(0)

    /// Creates an empty registry.
    public init() {}

    /// Registers (or returns the existing) counter family.
    ///
    /// - Precondition: a valid, non-conflicting registration; see ``makeCounter(name:help:labelNames:)``.
    public func counter(name: String, help: String, labelNames: [String] = []) -> CounterFamily {
        orStop { () throws(RegistrationError) in try makeCounter(name: name, help: help, labelNames: labelNames) }
    }

    /// Registers (or returns the existing) gauge family.
    ///
    /// - Precondition: a valid, non-conflicting registration; see ``makeGauge(name:help:labelNames:)``.
    public func gauge(name: String, help: String, labelNames: [String] = []) -> GaugeFamily {
        orStop { () throws(RegistrationError) in try makeGauge(name: name, help: help, labelNames: labelNames) }
    }

    /// Registers (or returns the existing) histogram family with these bucket upper bounds
    /// (`+Inf` is added when missing).
    ///
    /// - Precondition: a valid, non-conflicting registration; see
    ///   ``makeHistogram(name:help:labelNames:buckets:)``.
    public func histogram(name: String, help: String, labelNames: [String] = [], buckets: [Double])
        -> HistogramFamily
    {
        orStop { () throws(RegistrationError) in
            try makeHistogram(name: name, help: help, labelNames: labelNames, buckets: buckets)
        }
    }

    /// Registers (or returns the existing) counter family, or throws why it cannot.
    public func makeCounter(name: String, help: String, labelNames: [String] = []) throws(RegistrationError)
        -> CounterFamily
    {
        try NameRules.validate(metric: name, labelNames: labelNames)
        return try register(
            name: name, FamilySignature(type: .counter, help: help, labelNames: labelNames)
        ) { CounterFamily(name: name, help: help, labelNames: labelNames) }
    }

    /// Registers (or returns the existing) gauge family, or throws why it cannot.
    public func makeGauge(name: String, help: String, labelNames: [String] = []) throws(RegistrationError)
        -> GaugeFamily
    {
        try NameRules.validate(metric: name, labelNames: labelNames)
        return try register(
            name: name, FamilySignature(type: .gauge, help: help, labelNames: labelNames)
        ) { GaugeFamily(name: name, help: help, labelNames: labelNames) }
    }

    /// Registers (or returns the existing) histogram family, or throws why it cannot: besides
    /// the name rules, bounds must be finite and strictly increasing (a trailing `+Inf` is
    /// allowed) and `le` is not a label name.
    public func makeHistogram(
        name: String, help: String, labelNames: [String] = [], buckets: [Double]
    ) throws(RegistrationError) -> HistogramFamily {
        try NameRules.validate(metric: name, labelNames: labelNames, reserved: ["le"])
        let bounds = try HistogramFamily.upperBounds(buckets, metric: name)
        return try register(
            name: name,
            FamilySignature(type: .histogram, help: help, labelNames: labelNames, buckets: bounds)
        ) { HistogramFamily(name: name, help: help, labelNames: labelNames, upperBounds: bounds) }
    }

    /// Adds a collector whose families are written after the registered ones on every page.
    public func register(collector: any MetricCollector) {
        state.withLock { $0.collectors.append(collector) }
    }

    /// Renders every family, then every collector's families, as one page in `format`
    /// (OpenMetrics pages end with `# EOF`).
    public func render(_ format: ExpositionFormat) -> [UInt8] {
        let (families, collectors) = state.withLock { ($0.families, $0.collectors) }
        let snapshots = collectors.flatMap { $0.collect() }
        let lastSize = lastPageSize.load(ordering: .relaxed)
        let page = ByteSink.page(capacity: lastSize + lastSize / 8 + 4096) { sink in
            for family in families where !sink.overflowed {
                family.render(into: &sink, format: format)
            }
            for family in snapshots where !sink.overflowed {
                family.render(into: &sink, format: format)
            }
            if format == .openMetrics {
                sink.appendUTF8("# EOF\n")
            }
        }
        lastPageSize.store(page.count, ordering: .relaxed)
        return page
    }

    private func register<Family: RenderableFamily>(
        name: String, _ signature: FamilySignature, make: () -> Family
    ) throws(RegistrationError) -> Family {
        let result: Result<Family, RegistrationError> = state.withLock { state in
            if let existing = state.byName[name] {
                guard let family = existing as? Family, existing.signature == signature else {
                    return .failure(.conflictingRegistration(name))
                }
                return .success(family)
            }
            let family = make()
            state.families.append(family)
            state.byName[name] = family
            return .success(family)
        }
        return try result.get()
    }

    private func orStop<Family>(_ body: () throws(RegistrationError) -> Family) -> Family {
        do {
            return try body()
        } catch {
            preconditionFailure(error.description)
        }
    }
}
