import Config

/// A promtool rule unit test file, as decoded (`rule_files`, `evaluation_interval`,
/// `group_eval_order`, `tests`).
struct RuleTestFile {
    var ruleFiles: [String] = []
    var evaluationInterval: Int64?
    var groupEvalOrder: [String] = []
    var tests: [TestGroup] = []

    struct TestGroup {
        var name = ""
        var interval: Int64?
        var inputSeries: [(series: String, values: String)] = []
        var alertTests: [AlertTest] = []
        var promqlTests: [PromQLTest] = []
        var externalLabels: [(name: String, value: String)] = []
        var externalURL = ""
    }

    struct AlertTest {
        var evalTime: Int64 = 0
        var alertname = ""
        var expected: [(labels: [(name: String, value: String)], annotations: [(name: String, value: String)])] = []
    }

    struct PromQLTest {
        var expr = ""
        var evalTime: Int64 = 0
        var expected: [(labels: String, value: Double)] = []
    }

    /// Decodes a test file strictly, as promtool's `yaml.UnmarshalStrict` does.
    static func decode(_ root: ConfigNode) throws -> RuleTestFile {
        var reader = RuleFileDecoder()
        var file = RuleTestFile()
        do {
            if let mapping = reader.expectMapping(root, into: "main.unitTestFile") {
                for entry in mapping.entries {
                    let value = entry.value
                    switch entry.key {
                    case "rule_files": file.ruleFiles = strings(value, &reader)
                    case "evaluation_interval": file.evaluationInterval = try reader.duration(value)
                    case "group_eval_order": file.groupEvalOrder = strings(value, &reader)
                    case "tests":
                        for item in reader.expectSequence(value, into: "[]main.testGroup") ?? [] {
                            file.tests.append(try testGroup(item, &reader))
                        }
                    default: reader.unknownField(entry, in: "main.unitTestFile")
                    }
                }
            }
        } catch {
            throw RuleTestFailure(error.message)
        }
        if !reader.typeErrors.isEmpty {
            throw RuleTestFailure("yaml: unmarshal errors:" + reader.typeErrors.map { "\n  \($0)" }.joined())
        }
        return file
    }

    private static func strings(_ node: ConfigNode, _ reader: inout RuleFileDecoder) -> [String] {
        (reader.expectSequence(node, into: "[]string") ?? []).compactMap { reader.scalar($0, into: "string") }
    }

    private static func testGroup(_ node: ConfigNode, _ reader: inout RuleFileDecoder) throws(DecodeAbort)
        -> TestGroup
    {
        var group = TestGroup()
        guard let mapping = reader.expectMapping(node, into: "main.testGroup") else { return group }
        for entry in mapping.entries {
            let value = entry.value
            switch entry.key {
            case "name": group.name = reader.scalar(value, into: "string") ?? ""
            case "interval": group.interval = try reader.duration(value)
            case "external_url": group.externalURL = reader.scalar(value, into: "string") ?? ""
            case "external_labels": group.externalLabels = reader.stringMap(value)
            case "input_series":
                for item in reader.expectSequence(value, into: "[]main.series") ?? [] {
                    guard let series = reader.expectMapping(item, into: "main.series") else { continue }
                    var name = ""
                    var values = ""
                    for field in series.entries {
                        switch field.key {
                        case "series": name = reader.scalar(field.value, into: "string") ?? ""
                        case "values": values = reader.scalar(field.value, into: "string") ?? ""
                        default: reader.unknownField(field, in: "main.series")
                        }
                    }
                    group.inputSeries.append((name, values))
                }
            case "alert_rule_test":
                for item in reader.expectSequence(value, into: "[]main.alertTestCase") ?? [] {
                    group.alertTests.append(try alertTest(item, &reader))
                }
            case "promql_expr_test":
                for item in reader.expectSequence(value, into: "[]main.promqlTestCase") ?? [] {
                    group.promqlTests.append(try promqlTest(item, &reader))
                }
            default: reader.unknownField(entry, in: "main.testGroup")
            }
        }
        return group
    }

    private static func alertTest(_ node: ConfigNode, _ reader: inout RuleFileDecoder) throws(DecodeAbort)
        -> AlertTest
    {
        var test = AlertTest()
        guard let mapping = reader.expectMapping(node, into: "main.alertTestCase") else { return test }
        for entry in mapping.entries {
            switch entry.key {
            case "eval_time": test.evalTime = try reader.duration(entry.value) ?? 0
            case "alertname": test.alertname = reader.scalar(entry.value, into: "string") ?? ""
            case "exp_alerts":
                for item in reader.expectSequence(entry.value, into: "[]main.alert") ?? [] {
                    guard let alert = reader.expectMapping(item, into: "main.alert") else { continue }
                    var labels: [(name: String, value: String)] = []
                    var annotations: [(name: String, value: String)] = []
                    for field in alert.entries {
                        switch field.key {
                        case "exp_labels": labels = reader.stringMap(field.value)
                        case "exp_annotations": annotations = reader.stringMap(field.value)
                        default: reader.unknownField(field, in: "main.alert")
                        }
                    }
                    test.expected.append((labels, annotations))
                }
            default: reader.unknownField(entry, in: "main.alertTestCase")
            }
        }
        return test
    }

    private static func promqlTest(_ node: ConfigNode, _ reader: inout RuleFileDecoder) throws(DecodeAbort)
        -> PromQLTest
    {
        var test = PromQLTest()
        guard let mapping = reader.expectMapping(node, into: "main.promqlTestCase") else { return test }
        for entry in mapping.entries {
            switch entry.key {
            case "expr": test.expr = reader.scalar(entry.value, into: "string") ?? ""
            case "eval_time": test.evalTime = try reader.duration(entry.value) ?? 0
            case "exp_samples":
                for item in reader.expectSequence(entry.value, into: "[]main.sample") ?? [] {
                    guard let sample = reader.expectMapping(item, into: "main.sample") else { continue }
                    var labels = ""
                    var value = 0.0
                    for field in sample.entries {
                        switch field.key {
                        case "labels": labels = reader.scalar(field.value, into: "string") ?? ""
                        case "value":
                            if let text = reader.scalar(field.value, into: "float64") {
                                if let number = yamlFloat(text, quoted: field.value.isQuoted) {
                                    value = number
                                } else {
                                    reader.typeErrors.append(
                                        "line \(field.value.line): cannot unmarshal \(reader.describe(field.value)) into float64"
                                    )
                                }
                            }
                        default: reader.unknownField(field, in: "main.sample")
                        }
                    }
                    test.expected.append((labels, value))
                }
            default: reader.unknownField(entry, in: "main.promqlTestCase")
            }
        }
        return test
    }

    /// A YAML float as go-yaml resolves one: decimals, exponents, `.inf`, `.nan`.
    static func yamlFloat(_ text: String, quoted: Bool) -> Double? {
        if quoted { return nil }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }) else {
            if cleaned.hasPrefix("0x"), let v = Int(cleaned.dropFirst(2), radix: 16) { return Double(v) }
            return nil
        }
        return Double(cleaned)
    }
}

extension RuleTestFile {
    /// The Go type of promtool's test file model that holds `key`, for go-yaml's messages.
    static func goType(holding key: String) -> String {
        switch key {
        case "rule_files", "evaluation_interval", "group_eval_order", "tests": return "main.unitTestFile"
        case "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url",
            "name":
            return "main.testGroup"
        case "series", "values": return "main.series"
        case "eval_time", "alertname", "exp_alerts": return "main.alertTestCase"
        case "exp_labels", "exp_annotations": return "main.alert"
        case "expr", "exp_samples": return "main.promqlTestCase"
        default: return "main.sample"
        }
    }
}

/// A problem that fails a whole test file, printed as promtool prints it.
struct RuleTestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
