import Foundation
import PromQL

/// Go's `fmt.Sprintf` for the verbs templates use (`%v %s %d %f %e %g %q %x %t %%`, with flags,
/// width and precision), rendering floats exactly as Go's `strconv` does.
enum GoFormat {
    /// Formats `args` by `format` as Go's `fmt.Sprintf`.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var chars = Array(format)[...]
        var argIndex = 0
        while let c = chars.popFirst() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            var minus = false
            var plus = false
            var zero = false
            var space = false
            var sharp = false
            flags: while let f = chars.first {
                switch f {
                case "-": minus = true
                case "+": plus = true
                case "0": zero = true
                case " ": space = true
                case "#": sharp = true
                default: break flags
                }
                chars.removeFirst()
            }
            var width: Int?
            if chars.first == "*" {
                chars.removeFirst()
                if argIndex < args.count, case .int(let w) = args[argIndex] { width = w }
                argIndex += 1
            } else {
                var digits = ""
                while let d = chars.first, d.isASCII, d.isNumber { digits.append(chars.removeFirst()) }
                width = Int(digits)
            }
            var precision: Int?
            if chars.first == "." {
                chars.removeFirst()
                if chars.first == "*" {
                    chars.removeFirst()
                    if argIndex < args.count, case .int(let p) = args[argIndex] { precision = p }
                    argIndex += 1
                } else {
                    var digits = ""
                    while let d = chars.first, d.isASCII, d.isNumber { digits.append(chars.removeFirst()) }
                    precision = Int(digits) ?? 0
                }
            }
            guard let verb = chars.popFirst() else {
                out += "%!(NOVERB)"
                break
            }
            if verb == "%" {
                out += "%"
                continue
            }
            if verb == "T", argIndex < args.count {
                let arg = args[argIndex]
                argIndex += 1
                var type = arg.goType
                if case .invalid = arg { type = "<nil>" }
                if case .nilValue = arg { type = "<nil>" }
                out += type
                continue
            }
            guard argIndex < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let arg = args[argIndex]
            argIndex += 1
            let spec = Spec(
                minus: minus, plus: plus, zero: zero, space: space, sharp: sharp, width: width,
                precision: precision)
            out += Self.format(arg, verb: verb, spec: spec)
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\($0.goType)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    struct Spec {
        var minus = false, plus = false, zero = false, space = false, sharp = false
        var width: Int?
        var precision: Int?
    }

    private static func bad(_ verb: Character, _ arg: TemplateValue) -> String {
        if case .invalid = arg { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(arg.goType)=\(arg.printed))"
    }

    static func format(_ arg: TemplateValue, verb: Character, spec: Spec) -> String {
        switch arg {
        case .float(let value):
            switch verb {
            case "v", "g", "G", "e", "E", "f", "F":
                let v: Character = verb == "v" ? "g" : verb
                return pad(
                    signed(float(value, verb: v, precision: spec.precision), spec), spec, numeric: value.isFinite)
            default: return bad(verb, arg)
            }
        case .int(let value):
            switch verb {
            case "v", "d": return pad(signed(String(value), spec), spec, numeric: true)
            case "x": return pad(signed(String(value, radix: 16), spec), spec, numeric: true)
            case "X": return pad(signed(String(value, radix: 16).uppercased(), spec), spec, numeric: true)
            case "o": return pad(signed(String(value, radix: 8), spec), spec, numeric: true)
            case "b": return pad(signed(String(value, radix: 2), spec), spec, numeric: true)
            case "c":
                return pad(
                    Unicode.Scalar(UInt32(clamping: value)).map { String(Character($0)) } ?? "\u{FFFD}", spec,
                    numeric: false)
            case "q":
                return pad(
                    "'" + (Unicode.Scalar(UInt32(clamping: value)).map { String(Character($0)) } ?? "") + "'", spec,
                    numeric: false)
            case "e", "E", "f", "F", "g", "G": return bad(verb, arg)
            default: return bad(verb, arg)
            }
        case .string(let s):
            switch verb {
            case "v", "s":
                let text = spec.precision.map { String(s.prefix($0)) } ?? s
                return pad(text, spec, numeric: false)
            case "q": return pad(goQuote(s), spec, numeric: false)
            case "x": return pad(s.utf8.map { hex2($0) }.joined(), spec, numeric: false)
            case "X": return pad(s.utf8.map { hex2($0).uppercased() }.joined(), spec, numeric: false)
            default: return bad(verb, arg)
            }
        case .bool(let b):
            switch verb {
            case "v", "t": return pad(b ? "true" : "false", spec, numeric: false)
            default: return bad(verb, arg)
            }
        default:
            switch verb {
            case "v", "s": return pad(arg.printed, spec, numeric: false)
            default: return bad(verb, arg)
            }
        }
    }

    private static func hex2(_ b: UInt8) -> String {
        let h = String(b, radix: 16)
        return h.count == 1 ? "0" + h : h
    }

    private static func signed(_ text: String, _ spec: Spec) -> String {
        if text.hasPrefix("-") || text.hasPrefix("+") {
            // Go keeps "+Inf"; a "+" on other numbers only with the flag.
            return text
        }
        if text == "NaN" { return spec.plus ? "+NaN" : (spec.space ? " NaN" : "NaN") }
        if spec.plus { return "+" + text }
        if spec.space { return " " + text }
        return text
    }

    private static func pad(_ text: String, _ spec: Spec, numeric: Bool) -> String {
        guard let width = spec.width, text.count < width else { return text }
        let fill = width - text.count
        if spec.minus { return text + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            var body = Substring(text)
            var sign = ""
            if let first = body.first, first == "-" || first == "+" || first == " " {
                sign = String(first)
                body = body.dropFirst()
            }
            return sign + String(repeating: "0", count: fill) + body
        }
        return String(repeating: " ", count: fill) + text
    }

    /// `strconv.FormatFloat(value, verb, precision ?? default, 64)` with fmt's defaults:
    /// precision 6 for `e`/`f`, shortest for `g`. Infinities are `+Inf`/`-Inf`.
    static func float(_ value: Double, verb: Character, precision: Int?) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        let lower = Character(verb.lowercased())
        let upper = verb.isUppercase
        var text: String
        switch lower {
        case "e":
            text = String(format: "%.\(precision ?? 6)e", value)
        case "f":
            text = String(format: "%.\(precision ?? 6)f", value)
        default:
            guard let precision else {
                text = Formatting.goDefault(value)
                break
            }
            text = formatG(value, precision: max(precision, 1))
        }
        return upper ? text.uppercased() : text
    }

    /// Go's `%.Ng`: N significant digits, trailing zeros dropped, exponent form when the
    /// exponent is below -4 or at least N.
    private static func formatG(_ value: Double, precision: Int) -> String {
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let exponential = String(format: "%.\(precision - 1)e", value)
        guard let e = exponential.firstIndex(of: "e"), let exponent = Int(exponential[exponential.index(after: e)...])
        else { return exponential }
        let negative = exponential.hasPrefix("-")
        var digits = exponential[..<e].filter { $0.isNumber }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        let nd = digits.count
        let dp = exponent + 1
        var eprec = precision
        if eprec > nd && nd >= dp { eprec = nd }
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= eprec {
            var mantissa = String(digits.prefix(1))
            if nd > 1 { mantissa += "." + digits.dropFirst() }
            let expDigits = String(abs(exponent))
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (expDigits.count < 2 ? "0" : "") + expDigits
        }
        // Fixed notation with max(nd - dp, 0) decimals.
        if dp <= 0 {
            return sign + "0." + String(repeating: "0", count: -dp) + digits
        }
        if nd <= dp {
            return sign + digits + String(repeating: "0", count: dp - nd)
        }
        let split = digits.index(digits.startIndex, offsetBy: dp)
        return sign + digits[..<split] + "." + digits[split...]
    }
}
