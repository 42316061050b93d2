import Series

/// The state of an alert, as Prometheus names it.
public enum AlertState: String, Sendable, Equatable {
    /// Not active, or resolved.
    case inactive
    /// Active for less than the rule's `for` duration.
    case pending
    /// Active for at least `for`, or kept firing by `keep_firing_for`.
    case firing
}

/// One alert of an alerting rule: one label set of its result.
public struct Alert: Sendable, Equatable {
    /// The alert's labels: the series' labels without `__name__`, plus the rule's labels and
    /// `alertname`.
    public var labels: Labels
    /// The expanded annotations.
    public var annotations: Labels
    /// Pending, firing, or inactive (resolved and kept for `resolvedRetention`).
    public var state: AlertState
    /// The value of the expression's sample at the last evaluation that produced it.
    public var value: Double
    /// When the alert became pending, milliseconds since the epoch.
    public var activeAt: Int64
    /// When it started firing, or nil.
    public var firedAt: Int64?
    /// When it resolved, or nil.
    public var resolvedAt: Int64?
    /// Since when it is kept firing after its condition cleared (`keep_firing_for`), or nil.
    public var keepFiringSince: Int64?
    /// When it was last handed to the notifier, or nil.
    public var lastSentAt: Int64?
    /// Until when Alertmanager should consider it active without hearing again (`endsAt`).
    public var validUntil: Int64?

    /// Creates an alert.
    public init(
        labels: Labels, annotations: Labels, state: AlertState, value: Double, activeAt: Int64,
        firedAt: Int64? = nil, resolvedAt: Int64? = nil, keepFiringSince: Int64? = nil
    ) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.keepFiringSince = keepFiringSince
    }

    /// Prometheus's `needsSending`: firing or resolved alerts are sent when resolved since the
    /// last send, or when `resendDelay` has passed since it; pending alerts never.
    public func needsSending(at time: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        if let resolvedAt, resolvedAt > (lastSentAt ?? Int64.min) { return true }
        guard let lastSentAt else { return true }
        return lastSentAt + resendDelay < time
    }
}
