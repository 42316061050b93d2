/// Why a metric family could not be registered. These are programmer errors (names and buckets
/// come from code); the throwing `make…` methods of ``MetricRegistry`` report them, the
/// non-throwing ones stop the process with this description.
public enum RegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    case invalidMetricName(String)
    /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`, starts with the reserved `__`, or
    /// is reserved by the metric type (`le` for histograms).
    case invalidLabelName(metric: String, label: String)
    /// The same label name appears twice.
    case duplicateLabelName(metric: String, label: String)
    /// A family of this name exists with another type, help or label names.
    case conflictingRegistration(String)
    /// Histogram bucket bounds must be finite or `+Inf` (last), and strictly increasing.
    case invalidBuckets(metric: String, reason: String)

    /// Says what is wrong and with which name.
    public var description: String {
        switch self {
        case .invalidMetricName(let name):
            "invalid metric name \"\(name)\": must match [a-zA-Z_:][a-zA-Z0-9_:]*"
        case .invalidLabelName(let metric, let label):
            "metric \(metric): invalid label name \"\(label)\": must match [a-zA-Z_][a-zA-Z0-9_]*, "
                + "must not start with \"__\", and \"le\" is reserved for histograms"
        case .duplicateLabelName(let metric, let label):
            "metric \(metric): label name \"\(label)\" appears twice"
        case .conflictingRegistration(let name):
            "metric \(name) is already registered with another type, help text or label names"
        case .invalidBuckets(let metric, let reason):
            "metric \(metric): invalid histogram buckets: \(reason)"
        }
    }
}

/// Name checks with Prometheus's rules for metric and label names.
enum NameRules {
    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowingColon: true)
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowingColon: false)
    }

    private static func isValid(_ name: String, allowingColon: Bool) -> Bool {
        var first = true
        for byte in name.utf8 {
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let allowed =
                isLetter || byte == UInt8(ascii: "_") || (allowingColon && byte == UInt8(ascii: ":"))
                || (!first && isDigit)
            if !allowed { return false }
            first = false
        }
        return !first
    }

    /// Checks a family's name and label names before it is registered; `reserved` are label
    /// names its type writes itself (`le`).
    static func validate(
        metric name: String, labelNames: [String], reserved: Set<String> = []
    ) throws(RegistrationError) {
        guard isValidMetricName(name) else { throw .invalidMetricName(name) }
        var seen = Set<String>()
        for label in labelNames {
            guard isValidLabelName(label), !label.hasPrefix("__"), !reserved.contains(label) else {
                throw .invalidLabelName(metric: name, label: label)
            }
            guard seen.insert(label).inserted else {
                throw .duplicateLabelName(metric: name, label: label)
            }
        }
    }
}
