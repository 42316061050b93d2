import Series
import Foundation
import PromQL

/// A sample as `query` returns it to templates: labels and value (Prometheus's `sample` struct).
struct TemplateSample: Sendable {
    var labels: [String: String]
    var value: Double
}

/// A named field of a struct value.
struct TemplateField {
    var name: String
    var value: TemplateValue
}

/// A value inside template execution, mirroring the Go types Prometheus's templates see.
indirect enum TemplateValue {
    /// Go's invalid `reflect.Value`: a missing map key; prints `<no value>`.
    case invalid
    case nilValue
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// `map[string]string`, such as `$labels`.
    case stringMap([String: String])
    /// `map[string]interface{}`, as `args` returns.
    case anyMap([String: TemplateValue])
    /// `*sample`.
    case sample(TemplateSample)
    /// `queryResult` (`[]*sample`).
    case samples([TemplateSample])
    /// A struct with named fields in declaration order, such as the alert template data.
    case record([TemplateField])
    /// `*time.Time`, seconds and nanoseconds since the epoch.
    case time(seconds: Int64, nanoseconds: Int64)

    /// Go's `reflect.Type` spelling, for error messages.
    var goType: String {
        switch self {
        case .invalid: return "invalid"
        case .nilValue: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .string: return "string"
        case .stringMap: return "map[string]string"
        case .anyMap: return "map[string]interface {}"
        case .sample: return "*template.sample"
        case .samples: return "template.queryResult"
        case .record(let fields):
            return "struct { " + fields.map { "\($0.name) \($0.value.goType)" }.joined(separator: "; ") + " }"
        case .time: return "*time.Time"
        }
    }

    /// Go's truth: false, 0, nil, and empty strings, maps and slices are false.
    var isTrue: Bool {
        switch self {
        case .invalid, .nilValue: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .string(let s): return !s.isEmpty
        case .stringMap(let m): return !m.isEmpty
        case .anyMap(let m): return !m.isEmpty
        case .samples(let s): return !s.isEmpty
        case .sample, .record, .time: return true
        }
    }

    /// Go's `fmt.Sprint` rendering (`%v`).
    var printed: String {
        switch self {
        case .invalid: return "<no value>"
        case .nilValue: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f): return Formatting.goDefault(f)
        case .string(let s): return s
        case .stringMap(let m):
            return "map[" + m.keys.sorted().map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .anyMap(let m):
            return "map[" + m.keys.sorted().map { "\($0):\(m[$0]!.printed)" }.joined(separator: " ") + "]"
        case .sample(let s): return "&" + Self.samplePrinted(s)
        case .samples(let list): return "[" + list.map { "&" + Self.samplePrinted($0) }.joined(separator: " ") + "]"
        case .record(let fields): return "{" + fields.map(\.value.printed).joined(separator: " ") + "}"
        case .time(let seconds, let nanoseconds): return GoTime.string(seconds: seconds, nanoseconds: nanoseconds)
        }
    }

    private static func samplePrinted(_ s: TemplateSample) -> String {
        "{" + TemplateValue.stringMap(s.labels).printed + " " + Formatting.goDefault(s.value) + "}"
    }
}
