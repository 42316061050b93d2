import Foundation
import Series

extension Parser {
    // MARK: Selectors

    mutating func parseVectorSelector(name: String?, namePosition: Int? = nil) throws
        -> VectorSelector
    {
        var matchers: [LabelMatcher] = []
        var metricName = name
        if let name {
            matchers.append(
                try makeMatcher(Labels.metricName, .equal, name, at: namePosition ?? current.position))
        }
        let selectorStart = namePosition ?? current.position
        var nameConflict: String?
        if current.kind == .leftBrace {
            _ = advance()
            while current.kind != .rightBrace {
                let nameToken = current
                switch nameToken.kind {
                case .identifier, .metricIdentifier, .string:
                    _ = advance()
                default:
                    throw unexpected("label matching", expected: "identifier or \"}\"")
                }
                let labelName = nameToken.kind == .string ? nameToken.stringValue : nameToken.text
                if nameToken.kind == .string && (current.kind == .comma || current.kind == .rightBrace) {
                    if let existing = metricName, name != nil, nameConflict == nil {
                        nameConflict = "metric name must not be set twice: \"\(existing)\" or \"\(labelName)\""
                    }
                    metricName = labelName
                    matchers.append(
                        try makeMatcher(Labels.metricName, .equal, labelName, at: nameToken.position))
                } else {
                    let type: MatchType
                    switch current.kind {
                    case .assign: type = .equal
                    case .neq: type = .notEqual
                    case .eqlRegex: type = .regexMatch
                    case .neqRegex: type = .regexNoMatch
                    default: throw unexpected("label matching", expected: "label matching operator")
                    }
                    _ = advance()
                    guard current.kind == .string else {
                        throw unexpected("label matching", expected: "string")
                    }
                    let valueToken = advance()
                    if labelName == Labels.metricName, type == .equal, let existing = metricName, name != nil,
                        nameConflict == nil
                    {
                        nameConflict =
                            "metric name must not be set twice: \"\(existing)\" or \"\(valueToken.stringValue)\""
                    }
                    if nameToken.kind == .metricIdentifier {
                        throw error(
                            "unexpected metric identifier \"\(labelName)\" in label matching, expected identifier",
                            at: nameToken.position)
                    }
                    matchers.append(
                        try makeMatcher(labelName, type, valueToken.stringValue, at: valueToken.position))
                }
                if current.kind == .comma {
                    _ = advance()
                } else if current.kind != .rightBrace {
                    throw unexpected("label matching", expected: "\",\" or \"}\"")
                }
            }
            _ = advance()
        }
        if let nameConflict { throw error(nameConflict, at: selectorStart) }
        if !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", at: selectorStart)
        }
        return VectorSelector(name: name, matchers: matchers)
    }

    func makeMatcher(_ name: String, _ type: MatchType, _ value: String, at position: Int) throws
        -> LabelMatcher
    {
        do {
            return try LabelMatcher(name: name, type: type, value: value)
        } catch let err as LabelMatcherError {
            throw error(err.description, at: position)
        }
    }

    /// Parses `(a, b, "c")` as used by `by`, `without`, `on`, `ignoring` and `group_*`.
    mutating func parseLabelList(context: String) throws -> [String] {
        guard current.kind == .leftParen else { throw unexpected(context, expected: "\"(\"") }
        _ = advance()
        var labels: [String] = []
        while current.kind != .rightParen {
            let token = current
            switch token.kind {
            case .identifier:
                labels.append(token.text)
            case .string:
                labels.append(token.stringValue)
            default:
                throw unexpected(context, expected: "label")
            }
            _ = advance()
            if current.kind == .comma {
                _ = advance()
            } else if current.kind != .rightParen {
                throw unexpected(context, expected: "\",\" or \")\"")
            }
        }
        _ = advance()
        return labels
    }

    // MARK: Aggregations and calls

    mutating func parseAggregate() throws -> Expr {
        let opToken = advance()
        let start = opToken.position
        guard let op = AggregateOp(rawValue: opToken.text.lowercased()) else { throw unexpected() }
        var aggregate = AggregateExpr(op: op, expr: .number(0))
        func parseModifier(_ parser: inout Parser) throws {
            aggregate.without = parser.isKeyword("without")
            aggregate.hasGrouping = true
            _ = parser.advance()
            aggregate.grouping = try parser.parseLabelList(context: "grouping opts")
        }
        if isKeyword("by") || isKeyword("without") { try parseModifier(&self) }
        guard current.kind == .leftParen else { throw unexpected("aggregation", expected: "\"(\"") }
        _ = advance()
        let (args, argStarts) = try parseArguments(context: "aggregation")
        if (isKeyword("by") || isKeyword("without")) && !aggregate.hasGrouping {
            try parseModifier(&self)
        }
        let expected = op.takesParameter ? 2 : 1
        if args.isEmpty { throw error("no arguments for aggregate expression provided", at: start) }
        guard args.count == expected else {
            throw error(
                "wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)",
                at: start)
        }
        aggregate.expr = args[expected - 1]
        if op.takesParameter {
            let param = args[0]
            let wanted: ValueType = op == .countValues ? .string : .scalar
            guard param.type == wanted else {
                throw error(
                    "expected type \(wanted.rawValue) in aggregation parameter, got \(param.type.rawValue)",
                    at: argStarts[0])
            }
            aggregate.param = param
        }
        guard aggregate.expr.type == .vector else {
            throw error(
                "expected type instant vector in aggregation expression, got \(aggregate.expr.type.rawValue)",
                at: argStarts[expected - 1])
        }
        return .aggregate(aggregate)
    }

    mutating func parseCall() throws -> Expr {
        let nameToken = advance()
        guard let signature = FunctionSignatures.all[nameToken.text] else {
            throw error("unknown function with name \"\(nameToken.text)\"", at: nameToken.position)
        }
        _ = advance()
        let (args, argStarts) = try parseArguments(context: "function call")
        try checkArguments(signature, args, starts: argStarts, at: nameToken.position)
        return .call(Call(function: signature, args: args))
    }

    /// Parses comma-separated arguments up to and including the closing parenthesis.
    mutating func parseArguments(context: String) throws -> ([Expr], [Int]) {
        var args: [Expr] = []
        var starts: [Int] = []
        while current.kind != .rightParen {
            starts.append(current.position)
            args.append(try parseBinary(minPrecedence: 0))
            if current.kind == .comma {
                let comma = advance()
                if current.kind == .rightParen {
                    throw error("trailing commas not allowed in function call args", at: comma.position)
                }
            } else if current.kind != .rightParen {
                throw unexpected(context, expected: "\",\" or \")\"")
            }
        }
        _ = advance()
        return (args, starts)
    }

    func checkArguments(
        _ signature: FunctionSignature, _ args: [Expr], starts: [Int], at position: Int
    ) throws {
        let required = signature.argTypes.count
        let name = signature.name
        switch signature.variadic {
        case 0:
            if args.count != required {
                throw error(
                    "expected \(required) argument(s) in call to \"\(name)\", got \(args.count)", at: position
                )
            }
        case -1:
            if args.count < required - 1 {
                throw error(
                    "expected at least \(required - 1) argument(s) in call to \"\(name)\", got \(args.count)",
                    at: position)
            }
        default:
            let minimum = required - signature.variadic
            let maximum = required
            if args.count < minimum {
                throw error(
                    "expected at least \(minimum) argument(s) in call to \"\(name)\", got \(args.count)",
                    at: position)
            }
            if args.count > maximum {
                throw error(
                    "expected at most \(maximum) argument(s) in call to \"\(name)\", got \(args.count)",
                    at: position)
            }
        }
        for (i, arg) in args.enumerated() {
            let wanted = i < required ? signature.argTypes[i] : signature.argTypes[required - 1]
            if arg.type != wanted {
                throw error(
                    "expected type \(wanted.rawValue) in call to function \"\(name)\", got \(arg.type.rawValue)",
                    at: starts[i])
            }
        }
    }

    // MARK: Durations

    /// Parses an optionally signed duration: a literal, or a parenthesised duration expression.
    mutating func parseSignedDuration(context: String) throws -> Int64 {
        var sign: Int64 = 1
        if current.kind == .sub || current.kind == .add {
            sign = advance().kind == .sub ? -1 : 1
        }
        let position = current.position
        if current.kind == .leftParen {
            _ = advance()
            let value = try parseDurationSum()
            _ = try expect(.rightParen, context: context, expected: "\")\"")
            return sign * (try milliseconds(value, at: position))
        }
        let token = current
        switch token.kind {
        case .number:
            _ = advance()
            return sign * (try milliseconds(token.numberValue, at: position))
        case .duration:
            _ = advance()
            return sign * Int64(token.numberValue)
        default:
            throw unexpected(context, expected: "duration")
        }
    }

    /// Parses a duration expression (`5m`, `1800`, `2m*(10+5)`) and returns milliseconds.
    mutating func parseDurationExpr(context: String) throws -> Int64 {
        let position = current.position
        return try milliseconds(try parseDurationSum(), at: position)
    }

    /// Converts seconds to milliseconds, failing when the result does not fit.
    func milliseconds(_ seconds: Double, at position: Int) throws -> Int64 {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, abs(ms) < 1e17 else { throw error("duration out of range", at: position) }
        return Int64(ms)
    }

    private mutating func parseDurationSum() throws -> Double {
        var value = try parseDurationProduct()
        while current.kind == .add || current.kind == .sub {
            let isAdd = advance().kind == .add
            let rhs = try parseDurationProduct()
            value = isAdd ? value + rhs : value - rhs
        }
        return value
    }

    private mutating func parseDurationProduct() throws -> Double {
        var value = try parseDurationUnary()
        while current.kind == .mul || current.kind == .div || current.kind == .mod {
            let op = advance()
            let rhs = try parseDurationUnary()
            switch op.kind {
            case .mul: value *= rhs
            case .div:
                guard rhs != 0 else { throw error("division by zero", at: op.position) }
                value /= rhs
            default:
                guard rhs != 0 else { throw error("modulo by zero", at: op.position) }
                value = value.truncatingRemainder(dividingBy: rhs)
            }
        }
        return value
    }

    private mutating func parseDurationUnary() throws -> Double {
        if current.kind == .sub || current.kind == .add {
            let negative = advance().kind == .sub
            let value = try parseDurationUnary()
            return negative ? -value : value
        }
        let base = try parseDurationAtom()
        if current.kind == .pow {
            _ = advance()
            let exponent = try parseDurationUnary()
            return Foundation.pow(base, exponent)
        }
        return base
    }

    private mutating func parseDurationAtom() throws -> Double {
        let token = current
        switch token.kind {
        case .number:
            _ = advance()
            return token.numberValue
        case .duration:
            _ = advance()
            return token.numberValue / 1000
        case .leftParen:
            _ = advance()
            let value = try parseDurationSum()
            _ = try expect(.rightParen, context: "duration expression", expected: "\")\"")
            return value
        default:
            throw unexpected("duration expression", expected: "duration")
        }
    }

    // MARK: Series notation

    mutating func parseSeriesLabels() throws -> Labels {
        var name: String?
        if current.kind == .identifier || current.kind == .metricIdentifier {
            name = advance().text
        }
        var pairs: [Label] = []
        if let name { pairs.append(Label(name: Labels.metricName, value: name)) }
        if current.kind == .leftBrace {
            _ = advance()
            while current.kind != .rightBrace {
                let nameToken = advance()
                let labelName = nameToken.kind == .string ? nameToken.stringValue : nameToken.text
                if nameToken.kind == .string && (current.kind == .comma || current.kind == .rightBrace) {
                    pairs.append(Label(name: Labels.metricName, value: labelName))
                } else {
                    _ = try expect(.assign, context: "series description", expected: "\"=\"")
                    let value = try expect(.string, context: "series description", expected: "string")
                    pairs.append(Label(name: labelName, value: value.stringValue))
                }
                if current.kind == .comma { _ = advance() }
            }
            _ = advance()
        }
        if current.kind != .eof { throw unexpected("series description") }
        return Labels(pairs)
    }
}
