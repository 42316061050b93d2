/// A metric family as read from a page: its metadata and samples, with `String`s throughout.
/// Convenient for tests, `llmwatch check metrics` and small pages; a scraper reading large
/// pages uses ``ExpositionParser`` directly.
public struct ParsedFamily: Sendable, Equatable {
    /// The family name (for OpenMetrics counters, without `_total`).
    public var name: String
    /// The declared type; `untyped` when no `# TYPE` line came before the samples.
    public var type: MetricType
    /// The `# HELP` text, when there was one.
    public var help: String?
    /// The OpenMetrics `# UNIT`, when there was one.
    public var unit: String?
    /// The samples, in page order.
    public var samples: [ParsedSample]

    /// Creates a family.
    public init(
        name: String, type: MetricType = .untyped, help: String? = nil, unit: String? = nil,
        samples: [ParsedSample] = []
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// Whether a sample named `sampleName` belongs to this family: its name, or its name with
    /// a suffix the family's type writes (`_bucket`, `_sum`, `_count`, `_total`, ...).
    public func owns(sampleName: String) -> Bool {
        guard sampleName.hasPrefix(name) else { return false }
        let suffix = sampleName.dropFirst(name.count)
        if suffix.isEmpty { return true }
        switch type {
        case .counter: return suffix == "_total" || suffix == "_created"
        case .histogram: return ["_bucket", "_sum", "_count", "_created"].contains(suffix)
        case .summary: return ["_sum", "_count", "_created"].contains(suffix)
        case .gaugeHistogram: return ["_bucket", "_gsum", "_gcount"].contains(suffix)
        case .info: return suffix == "_info"
        case .gauge, .untyped, .stateSet: return false
        }
    }
}

/// One sample line as read from a page.
public struct ParsedSample: Sendable, Equatable {
    /// The sample's metric name, suffix included (`x_bucket`).
    public var name: String
    /// The labels, unescaped, in the order written.
    public var labels: [Label]
    /// The value; NaN and infinities included.
    public var value: Double
    /// The timestamp in milliseconds, when the line has one.
    public var timestampMilliseconds: Int64?

    /// Creates a sample.
    public init(name: String, labels: [Label] = [], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Equal names, labels and timestamps, and values equal or both NaN.
    public static func == (left: ParsedSample, right: ParsedSample) -> Bool {
        left.name == right.name && left.labels == right.labels
            && left.timestampMilliseconds == right.timestampMilliseconds
            && (left.value == right.value || (left.value.isNaN && right.value.isNaN))
    }
}

extension ExpositionParser {
    /// Parses a whole page into families, grouping each sample with the family whose HELP or
    /// TYPE came just before it (or a new untyped family named after the sample).
    public static func parseFamilies(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionParseError)
        -> [ParsedFamily]
    {
        var parser = ExpositionParser(bytes: bytes, format: format)
        var families: [ParsedFamily] = []
        func family(named name: String) -> Int {
            if let last = families.indices.last, families[last].name == name { return last }
            families.append(ParsedFamily(name: name))
            return families.count - 1
        }
        while let entry = try parser.next() {
            switch entry {
            case .help(let metric, let text):
                families[family(named: metric)].help = text
            case .type(let metric, let type):
                families[family(named: metric)].type = type
            case .unit(let metric, let unit):
                families[family(named: metric)].unit = unit
            case .sample:
                let sample = ParsedSample(
                    name: parser.metricName(), labels: parser.labels(), value: parser.value,
                    timestampMilliseconds: parser.timestampMilliseconds)
                if let last = families.indices.last, families[last].owns(sampleName: sample.name) {
                    families[last].samples.append(sample)
                } else {
                    families.append(ParsedFamily(name: sample.name, samples: [sample]))
                }
            case .endOfFile:
                break
            }
        }
        return families
    }
}
