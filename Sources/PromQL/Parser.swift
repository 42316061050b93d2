import Series

/// Parses PromQL text into a type-checked `Expr`.
public enum PromQLParser {
    /// Parses and type-checks `text`; throws `ParseError` with Prometheus's position and wording.
    public static func parse(_ text: String) throws -> Expr {
        var parser = try Parser(text)
        let expr = try parser.parseQuery()
        return expr
    }

    /// Parses a series selector such as `up{job="api"}` or `{__name__=~"a|b"}` into its matchers, as
    /// the `match[]` parameters of Prometheus's series and label APIs are read. Anything but a
    /// plain selector (a range, an offset, an `@`, an operator) is a `ParseError`.
    public static func parseMetricSelector(_ text: String) throws -> [LabelMatcher] {
        var parser = try Parser(text)
        let expr = try parser.parseQuery()
        guard case .vectorSelector(let selector) = expr, selector.offset == 0, selector.at == nil else {
            throw ParseError(
                position: 0, query: text, message: "expected a series selector such as up{job=\"api\"}, got \(expr)")
        }
        return selector.matchers
    }

    /// Parses a label matcher list such as `{job="api", __name__="up"}` or `up{job="api"}` into labels,
    /// as the promqltest series notation writes them; only `=` is accepted.
    public static func parseSeriesLabels(_ text: String) throws -> Labels {
        var parser = try Parser(text)
        return try parser.parseSeriesLabels()
    }
}

/// A recursive-descent parser over the lexer's tokens.
struct Parser {
    /// How deeply expressions may nest: operators, parentheses, calls and aggregations count a
    /// level each. Prometheus has no such limit (Go grows its stacks); here every tree walk
    /// (type checks, evaluation, printing, deallocation) recurses, so a bound keeps a hostile
    /// query from overflowing a thread's stack.
    static let maxDepth = 256

    let query: String
    var tokens: [Token]
    var index = 0
    /// The nesting level of the expression being parsed.
    var depth = 0

    init(_ query: String) throws {
        self.query = query
        self.tokens = try Lexer.tokenize(query)
    }

    var current: Token { tokens[index] }

    func peek(_ offset: Int = 1) -> Token {
        tokens[min(index + offset, tokens.count - 1)]
    }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ message: String, at position: Int? = nil) -> ParseError {
        ParseError(position: position ?? current.position, query: query, message: message)
    }

    func unexpected(_ context: String = "", expected: String = "") -> ParseError {
        var message = "unexpected \(current.errorDescription)"
        if !context.isEmpty { message += " in \(context)" }
        if !expected.isEmpty { message += ", expected \(expected)" }
        return error(message)
    }

    mutating func expect(_ kind: TokenKind, context: String, expected: String) throws -> Token {
        guard current.kind == kind else { throw unexpected(context, expected: expected) }
        return advance()
    }

    func isKeyword(_ word: String, _ token: Token? = nil) -> Bool {
        let t = token ?? current
        return t.kind == .identifier && t.text.lowercased() == word
    }

    mutating func parseQuery() throws -> Expr {
        if current.kind == .eof { throw error("no expression found in input", at: 0) }
        let expr = try parseBinary(minPrecedence: 0)
        if current.kind != .eof { throw unexpected() }
        return expr
    }

    // MARK: Binary operators

    func binaryOperator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .eql: return .eql
        case .neq: return .neq
        case .lss: return .lss
        case .lte: return .lte
        case .gtr: return .gtr
        case .gte: return .gte
        case .identifier:
            switch token.text.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": return .atan2
            default: return nil
            }
        default: return nil
        }
    }

    /// Counts one more level of nesting at `position`; a `ParseError` past `maxDepth`.
    mutating func descend(at position: Int) throws {
        depth += 1
        if depth > Self.maxDepth {
            throw error("expression nested too deeply (more than \(Self.maxDepth) levels)", at: position)
        }
    }

    mutating func parseBinary(minPrecedence: Int) throws -> Expr {
        let outer = depth
        defer { depth = outer }
        let lhsStart = current.position
        try descend(at: lhsStart)
        var lhs = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minPrecedence {
            // Each operator of a chain puts what came before one level deeper.
            try descend(at: current.position)
            let opPosition = advance().position
            var returnBool = false
            if isKeyword("bool") {
                _ = advance()
                returnBool = true
            }
            var matching = VectorMatching()
            if isKeyword("on") || isKeyword("ignoring") {
                matching.on = isKeyword("on")
                matching.explicit = true
                _ = advance()
                matching.matchingLabels = try parseLabelList(context: "grouping opts")
                if isKeyword("group_left") || isKeyword("group_right") {
                    matching.card = isKeyword("group_left") ? .manyToOne : .oneToMany
                    _ = advance()
                    if current.kind == .leftParen {
                        matching.include = try parseLabelList(context: "grouping opts")
                    }
                }
            } else if isKeyword("group_left") || isKeyword("group_right") {
                throw unexpected("binary expression", expected: "\"on\" or \"ignoring\"")
            }
            let nextMin = op == .pow ? op.precedence : op.precedence + 1
            let rhs = try parseBinary(minPrecedence: nextMin)
            lhs = try makeBinary(
                op: op, lhs: lhs, rhs: rhs, matching: matching, returnBool: returnBool, at: opPosition,
                start: lhsStart)
        }
        return lhs
    }

    func makeBinary(
        op: BinaryOperator, lhs: Expr, rhs: Expr, matching: VectorMatching, returnBool: Bool,
        at position: Int,
        start: Int
    ) throws -> Expr {
        let lt = lhs.type
        let rt = rhs.type
        var matching = matching
        if returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", at: position)
        }
        if op.isComparison && !returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: position)
        }
        if (lt != .scalar && lt != .vector) || (rt != .scalar && rt != .vector) {
            throw error("binary expression must contain only scalar and instant vector types", at: start)
        }
        let bothVectors = lt == .vector && rt == .vector
        if op.isSetOperator {
            if lt == .scalar || rt == .scalar {
                throw error(
                    "set operator \"\(op.rawValue)\" not allowed in binary scalar expression", at: start)
            }
            if matching.card == .oneToMany || matching.card == .manyToOne {
                throw error("no grouping allowed for \"\(op.rawValue)\" operation", at: position)
            }
            matching.card = .manyToMany
        }
        if !bothVectors && (matching.explicit || matching.card != .oneToOne) && !op.isSetOperator {
            throw error("vector matching only allowed between instant vectors", at: start)
        }
        if matching.on {
            for label in matching.include where matching.matchingLabels.contains(label) {
                throw error(
                    "label \"\(label)\" must not occur in ON and GROUP clause at once", at: position)
            }
        }
        let binary = BinaryExpr(
            op: op, lhs: lhs, rhs: rhs, matching: bothVectors ? matching : nil, returnBool: returnBool)
        return .binary(binary)
    }

    mutating func parseUnary() throws -> Expr {
        if current.kind == .add || current.kind == .sub {
            let token = advance()
            let operand = try parseBinary(minPrecedence: BinaryOperator.pow.precedence)
            if case .number(let value) = operand {
                return .number(token.kind == .sub ? -value : value)
            }
            let type = operand.type
            guard type == .scalar || type == .vector else {
                throw error(
                    "unary expression only allowed on expressions of type scalar or instant vector, got \"\(type.rawValue)\"",
                    at: token.position)
            }
            return .unary(op: token.kind == .sub ? .sub : .add, expr: operand)
        }
        let start = current.position
        let primary = try parsePrimary()
        return try parsePostfix(primary, start: start)
    }

    // MARK: Primary expressions

    mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .number:
            _ = advance()
            return .number(token.numberValue)
        case .duration:
            _ = advance()
            return .number(token.numberValue / 1000)
        case .string:
            _ = advance()
            return .string(value: token.stringValue, raw: token.text)
        case .leftParen:
            _ = advance()
            let inner = try parseBinary(minPrecedence: 0)
            guard current.kind == .rightParen else {
                throw unexpected("paren expression", expected: "\")\"")
            }
            _ = advance()
            return .paren(inner)
        case .leftBrace:
            return .vectorSelector(try parseVectorSelector(name: nil))
        case .identifier, .metricIdentifier:
            let lower = token.text.lowercased()
            if token.kind == .identifier && Keywords.aggregators.contains(lower)
                && (peek().kind == .leftParen || isKeyword("by", peek()) || isKeyword("without", peek()))
            {
                return try parseAggregate()
            }
            if token.kind == .identifier && Keywords.keywords.contains(lower) && peek().kind == .leftParen {
                throw unexpected()
            }
            if token.kind == .identifier && peek().kind == .leftParen {
                return try parseCall()
            }
            _ = advance()
            return .vectorSelector(
                try parseVectorSelector(name: token.text, namePosition: token.position))
        case .eof:
            throw error("unexpected end of input")
        default:
            throw unexpected()
        }
    }

    // MARK: Postfix: ranges, subqueries, offset and @

    mutating func parsePostfix(_ base: Expr, start: Int) throws -> Expr {
        var expr = base
        while true {
            if current.kind == .leftBracket {
                expr = try parseRangeOrSubquery(expr, start: start)
            } else if isKeyword("offset") {
                _ = advance()
                let offset = try parseSignedDuration(context: "offset")
                expr = try applyOffset(offset, to: expr, at: start)
            } else if current.kind == .at {
                _ = advance()
                let at = try parseAtValue()
                expr = try applyAt(at, to: expr, at: start)
            } else {
                return expr
            }
        }
    }

    mutating func parseRangeOrSubquery(_ expr: Expr, start: Int) throws -> Expr {
        let open = advance()
        let rangePosition = current.position
        let range = try parseDurationExpr(context: "subquery or range selector")
        if current.kind == .rightBracket {
            _ = advance()
            guard case .vectorSelector(let selector) = expr else {
                throw error("ranges only allowed for vector selectors", at: open.position)
            }
            if selector.offset != 0 {
                throw error("no offset modifiers allowed before range", at: open.position)
            }
            if selector.at != nil {
                throw error("no @ modifiers allowed before range", at: open.position)
            }
            guard range > 0 else { throw error("duration must be greater than 0", at: rangePosition) }
            return .matrixSelector(MatrixSelector(selector: selector, range: range))
        }
        guard current.kind == .colon else {
            throw unexpected("subquery or range", expected: "\"]\" or \":\"")
        }
        _ = advance()
        var step: Int64 = 0
        if current.kind != .rightBracket {
            let stepPosition = current.position
            step = try parseDurationExpr(context: "subquery step")
            guard step > 0 else { throw error("duration must be greater than 0", at: stepPosition) }
        }
        guard current.kind == .rightBracket else { throw unexpected("subquery", expected: "\"]\"") }
        _ = advance()
        guard expr.type == .vector else {
            let typeName =
                expr.type == .matrix ? "matrix" : expr.type == .vector ? "vector" : expr.type.rawValue
            throw error("subquery is only allowed on instant vector, got \(typeName) instead", at: start)
        }
        guard range > 0 else { throw error("duration must be greater than 0", at: rangePosition) }
        return .subquery(SubqueryExpr(expr: expr, range: range, step: step))
    }

    func applyOffset(_ offset: Int64, to expr: Expr, at position: Int) throws -> Expr {
        switch expr {
        case .vectorSelector(var s):
            if s.offset != 0 { throw error("offset may not be set multiple times", at: position) }
            s.offset = offset
            return .vectorSelector(s)
        case .matrixSelector(var m):
            if m.selector.offset != 0 {
                throw error("offset may not be set multiple times", at: position)
            }
            m.selector.offset = offset
            return .matrixSelector(m)
        case .subquery(var s):
            if s.offset != 0 { throw error("offset may not be set multiple times", at: position) }
            s.offset = offset
            return .subquery(s)
        default:
            throw error(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: position)
        }
    }

    func applyAt(_ at: AtModifier, to expr: Expr, at position: Int) throws -> Expr {
        switch expr {
        case .vectorSelector(var s):
            if s.at != nil { throw error("@ <timestamp> may not be set multiple times", at: position) }
            s.at = at
            return .vectorSelector(s)
        case .matrixSelector(var m):
            if m.selector.at != nil {
                throw error("@ <timestamp> may not be set multiple times", at: position)
            }
            m.selector.at = at
            return .matrixSelector(m)
        case .subquery(var s):
            if s.at != nil { throw error("@ <timestamp> may not be set multiple times", at: position) }
            s.at = at
            return .subquery(s)
        default:
            throw error(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: position)
        }
    }

    mutating func parseAtValue() throws -> AtModifier {
        if isKeyword("start") || isKeyword("end") {
            let isStart = isKeyword("start")
            _ = advance()
            _ = try expect(.leftParen, context: "@", expected: "\"(\"")
            _ = try expect(.rightParen, context: "@", expected: "\")\"")
            return isStart ? .start : .end
        }
        var sign = 1.0
        if current.kind == .sub || current.kind == .add {
            sign = advance().kind == .sub ? -1 : 1
        }
        let token = current
        let seconds: Double
        switch token.kind {
        case .number: seconds = token.numberValue
        case .duration: seconds = token.numberValue / 1000
        default: throw unexpected("@", expected: "timestamp")
        }
        _ = advance()
        let value = sign * seconds
        guard value.isFinite, abs(value * 1000) < 1e17 else {
            throw error(
                "timestamp out of bounds for @ modifier: \(Formatting.goDefault(value))", at: token.position
            )
        }
        return .timestamp(Int64((value * 1000).rounded()))
    }
}
