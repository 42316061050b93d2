import Foundation
import Series

/// Go's predefined template functions (`printf`, `eq`, `len`, ...) other than the lazy `and`/`or`.
enum TemplateBuiltins {
    /// Calls the built-in `name`; nil when `name` is not a built-in.
    static func call(_ name: String, _ args: [TemplateValue]) throws -> TemplateValue? {
        switch name {
        case "not":
            try count(name, args, 1)
            return .bool(!args[0].isTrue)
        case "len":
            try count(name, args, 1)
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .stringMap(let m): return .int(m.count)
            case .anyMap(let m): return .int(m.count)
            case .samples(let s): return .int(s.count)
            default: throw TemplateFunctionError(message: "len of type \(args[0].goType)")
            }
        case "index":
            guard var value = args.first else {
                throw TemplateArgumentError(message: "wrong number of args for index: want at least 1 got 0")
            }
            for key in args.dropFirst() {
                switch (value, key) {
                case (.stringMap(let m), .string(let k)): value = .string(m[k] ?? "")
                case (.anyMap(let m), .string(let k)): value = m[k] ?? .invalid
                case (.samples(let s), .int(let i)):
                    guard i >= 0 && i < s.count else {
                        throw TemplateFunctionError(message: "error calling index: index out of range: \(i)")
                    }
                    value = .sample(s[i])
                case (.string(let s), .int(let i)):
                    let bytes = Array(s.utf8)
                    guard i >= 0 && i < bytes.count else {
                        throw TemplateFunctionError(message: "error calling index: index out of range: \(i)")
                    }
                    value = .int(Int(bytes[i]))
                default:
                    throw TemplateFunctionError(message: "can't index item of type \(value.goType)")
                }
            }
            return value
        case "slice":
            guard case .string(let s)? = args.first else {
                throw TemplateFunctionError(message: "can't slice item of type \(args.first?.goType ?? "nil")")
            }
            let bytes = Array(s.utf8)
            var bounds: [Int] = []
            for arg in args.dropFirst() {
                guard case .int(let i) = arg else {
                    throw TemplateFunctionError(message: "cannot index slice/array with type \(arg.goType)")
                }
                bounds.append(i)
            }
            let low = bounds.count > 0 ? bounds[0] : 0
            let high = bounds.count > 1 ? bounds[1] : bytes.count
            guard low >= 0, low <= high, high <= bytes.count else {
                throw TemplateFunctionError(message: "index out of range: \(high)")
            }
            return .string(String(decoding: bytes[low..<high], as: UTF8.self))
        case "print":
            return .string(sprint(args))
        case "println":
            return .string(args.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = args.first else {
                throw TemplateArgumentError(message: "wrong number of args for printf: want at least 1 got 0")
            }
            return .string(GoFormat.sprintf(format, Array(args.dropFirst())))
        case "eq":
            guard args.count >= 2 else {
                throw TemplateFunctionError(message: "missing argument for comparison")
            }
            for other in args.dropFirst() where try compare(args[0], other) == 0 {
                return .bool(true)
            }
            return .bool(false)
        case "ne":
            try count(name, args, 2)
            return .bool(try compare(args[0], args[1]) != 0)
        case "lt", "le", "gt", "ge":
            try count(name, args, 2)
            let order = try compare(args[0], args[1], ordered: true)
            switch name {
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "html":
            return .string(htmlEscape(sprint(args)))
        case "js":
            return .string(jsEscape(sprint(args)))
        case "urlquery":
            return .string(goQueryEscape(sprint(args)))
        case "call":
            throw TemplateFunctionError(message: "call of non-function")
        default:
            return nil
        }
    }

    private static func count(_ name: String, _ args: [TemplateValue], _ want: Int) throws {
        guard args.count == want else {
            throw TemplateArgumentError(message: "wrong number of args for \(name): want \(want) got \(args.count)")
        }
    }

    /// Go's `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, arg) in args.enumerated() {
            if i > 0 {
                let previousIsString: Bool
                if case .string = args[i - 1] { previousIsString = true } else { previousIsString = false }
                var currentIsString = false
                if case .string = arg { currentIsString = true }
                if !previousIsString && !currentIsString { out += " " }
            }
            out += arg.printed
        }
        return out
    }

    /// Go's basic-kind comparison: same kinds only (ints of any size together).
    private static func compare(_ a: TemplateValue, _ b: TemplateValue, ordered: Bool = false) throws -> Int {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return sign(x, y)
        case (.float(let x), .float(let y)):
            if x.isNaN || y.isNaN { return 2 }
            return sign(x, y)
        case (.string(let x), .string(let y)):
            return x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.bool(let x), .bool(let y)):
            if ordered { throw TemplateFunctionError(message: "invalid type for comparison") }
            return x == y ? 0 : 1
        case (.invalid, _), (_, .invalid), (.nilValue, _), (_, .nilValue):
            throw TemplateFunctionError(message: "invalid type for comparison")
        default:
            throw TemplateFunctionError(message: "incompatible types for comparison")
        }
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&#39;"
            case "\"": out += "&#34;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
