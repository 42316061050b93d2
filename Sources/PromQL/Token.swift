/// The kinds of token the PromQL lexer produces.
enum TokenKind: Equatable, Sendable {
    case identifier
    case metricIdentifier
    case number
    case duration
    case string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, assign, colon, at
    case add, sub, mul, div, mod, pow
    case eql, neq, lss, lte, gtr, gte, eqlRegex, neqRegex
    case eof
}

/// One token: its kind, source text and byte position in the query.
struct Token: Sendable {
    var kind: TokenKind
    var text: String
    var position: Int
    /// The decoded value of string tokens.
    var stringValue = ""
    /// The value of number tokens, or milliseconds for duration tokens.
    var numberValue: Double = 0

    /// Describes the token for error messages as Prometheus's parser names it: `identifier "foo"`,
    /// `<op:*>`, `<by>`, `<aggr:sum>`, `"("`, `end of input`.
    var errorDescription: String {
        let lower = text.lowercased()
        switch kind {
        case .eof: return "end of input"
        case .identifier:
            if Keywords.aggregators.contains(lower) { return "<aggr:\(text)>" }
            if ["and", "or", "unless", "atan2"].contains(lower) { return "<op:\(text)>" }
            if Keywords.keywords.contains(lower) { return "<\(text)>" }
            return "identifier \(Token.goQuote(text))"
        case .metricIdentifier: return "metric identifier \(Token.goQuote(text))"
        case .number: return "number \(Token.goQuote(text))"
        case .duration: return "duration \(Token.goQuote(text))"
        case .string: return "string \(Token.goQuote(text))"
        case .leftParen, .rightParen, .leftBrace, .rightBrace, .leftBracket, .rightBracket, .comma,
            .assign, .colon:
            return Token.goQuote(text)
        default:
            return "<op:\(text)>"
        }
    }

    /// Quotes like Go's `%q` for the ASCII text tokens hold.
    static func goQuote(_ text: String) -> String {
        var out = "\""
        for c in text {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

/// Reserved words of PromQL.
enum Keywords {
    static let aggregators: Set<String> = [
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk",
        "count_values", "quantile", "limitk", "limit_ratio",
    ]
    static let keywords: Set<String> = [
        "and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left", "group_right",
        "offset", "bool", "start", "end",
    ]
}
