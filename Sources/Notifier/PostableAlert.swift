import Series

/// One alert as the notifier sends it: what Prometheus's `notifier.Alert` holds and what
/// Alertmanager's `POST /api/v2/alerts` takes.
///
/// Times are milliseconds since the Unix epoch. A firing alert carries an `endsAt` in the
/// future (Prometheus's `ValidUntil`: Alertmanager resolves it by itself if no resend arrives
/// before then); a resolved alert carries the time it resolved.
public struct PostableAlert: Sendable, Hashable {
    /// The alert's labels, `alertname` included.
    public var labels: Labels
    /// The expanded annotations.
    public var annotations: Labels
    /// When the alert started firing.
    public var startsAt: Int64
    /// When the alert resolved, or until when it should be considered firing; nil for none.
    public var endsAt: Int64?
    /// A link to the expression that produced the alert.
    public var generatorURL: String

    /// Creates a notification.
    public init(labels: Labels, annotations: Labels, startsAt: Int64, endsAt: Int64?, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// Whether the alert is resolved at `time`: it has an end that has passed (Alertmanager's
    /// `Alert.Resolved`).
    public func isResolved(at time: Int64) -> Bool {
        guard let endsAt else { return false }
        return endsAt <= time
    }

    /// Alertmanager's fingerprint of the labels, which identifies the alert there.
    public var fingerprint: UInt64 { Fingerprint.of(labels) }

    /// The value of the `alertname` label.
    public var alertName: String { labels["alertname"] }
}

/// Alertmanager's label-set fingerprint (`model.LabelSet.Fingerprint`): FNV-1a 64 over the
/// sorted names and values, each followed by the byte 255.
public enum Fingerprint {
    private static let offset: UInt64 = 14_695_981_039_346_656_037
    private static let prime: UInt64 = 1_099_511_628_211

    /// The fingerprint of `labels`.
    public static func of(_ labels: Labels) -> UInt64 {
        var hash = offset
        for label in labels {
            for byte in label.name.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
            hash = (hash ^ 255) &* prime
            for byte in label.value.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
            hash = (hash ^ 255) &* prime
        }
        return hash
    }

    /// `fingerprint` as Alertmanager prints it: 16 lowercase hex digits.
    public static func text(_ fingerprint: UInt64) -> String {
        let digits = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
