import Crypto
import Series

/// Applies relabeling rules to label sets, exactly as Prometheus's `relabel.Process`.
public enum Relabeling {
    /// `labels` after each rule in `configs`, in order; nil when a rule dropped the set.
    public static func process(_ labels: Labels, _ configs: [RelabelConfig]) -> Labels? {
        guard !configs.isEmpty else { return labels }
        var builder = LabelBuilder(labels)
        guard process(&builder, configs) else { return nil }
        return builder.labels
    }

    /// Applies `configs` to `builder` in order; false when a rule dropped the set (the builder
    /// is then left as it was at that rule).
    public static func process(_ builder: inout LabelBuilder, _ configs: [RelabelConfig]) -> Bool {
        for config in configs where !apply(config, to: &builder) {
            return false
        }
        return true
    }

    private static func apply(_ config: RelabelConfig, to builder: inout LabelBuilder) -> Bool {
        let value: String
        switch config.sourceLabels.count {
        case 0: value = ""
        case 1: value = builder.get(config.sourceLabels[0])
        default: value = config.sourceLabels.map { builder.get($0) }.joined(separator: config.separator)
        }
        switch config.action {
        case .drop:
            if config.regex.matches(value) { return false }
        case .keep:
            if !config.regex.matches(value) { return false }
        case .dropEqual:
            if builder.get(config.targetLabel) == value { return false }
        case .keepEqual:
            if builder.get(config.targetLabel) != value { return false }
        case .replace:
            replace(config, value: value, in: &builder)
        case .lowercase:
            builder.set(config.targetLabel, value.lowercased())
        case .uppercase:
            builder.set(config.targetLabel, value.uppercased())
        case .hashMod:
            builder.set(config.targetLabel, String(hashMod(value, modulus: config.modulus)))
        case .labelMap:
            let snapshot = builder
            snapshot.forEach { label in
                guard let match = config.regex.regex.match(label.name) else { return }
                builder.set(RegexTemplate.expand(config.replacement, match: match), label.value)
            }
        case .labelDrop:
            let snapshot = builder
            snapshot.forEach { label in
                if config.regex.matches(label.name) { builder.delete(label.name) }
            }
        case .labelKeep:
            let snapshot = builder
            snapshot.forEach { label in
                if !config.regex.matches(label.name) { builder.delete(label.name) }
            }
        }
        return true
    }

    private static func replace(_ config: RelabelConfig, value: String, in builder: inout LabelBuilder) {
        if value.isEmpty, config.regex == .matchAll, !config.targetLabel.contains("$"),
            !config.replacement.contains("$")
        {
            builder.set(config.targetLabel, config.replacement)
            return
        }
        guard let match = config.regex.regex.match(value) else { return }
        let target = RegexTemplate.expand(config.targetLabel, match: match)
        guard Labels.isLegacyLabelName(target) else { return }
        let result = RegexTemplate.expand(config.replacement, match: match)
        if result.isEmpty {
            builder.delete(target)
        } else {
            builder.set(target, result)
        }
    }

    /// The MD5 of `value`, its last 8 bytes read as a big-endian integer, modulo `modulus`.
    public static func hashMod(_ value: String, modulus: UInt64) -> UInt64 {
        guard modulus > 0 else { return 0 }
        let digest = Array(Insecure.MD5.hash(data: Array(value.utf8)))
        var number: UInt64 = 0
        for byte in digest[8..<16] { number = number << 8 | UInt64(byte) }
        return number % modulus
    }
}
