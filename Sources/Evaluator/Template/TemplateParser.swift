/// Parses Go text/template source into nodes, with Go's checks at parse time: functions must
/// exist, variables must be declared, control structures must be closed.
struct TemplateParser {
    private let source: [UInt8]
    private var tokens: [TemplateToken]
    private var index = 0
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    private let functions: Set<String>
    /// Templates named by `{{define}}` and `{{block}}`.
    private(set) var definitions: [String: [TemplateNode]] = [:]

    static func parse(_ text: String, functions: Set<String>) throws(TemplateSyntaxError)
        -> (nodes: [TemplateNode], definitions: [String: [TemplateNode]])
    {
        var parser = TemplateParser(
            source: Array(text.utf8), tokens: try TemplateLexer.tokenize(text), functions: functions)
        let (nodes, terminator) = try parser.parseList()
        if let terminator {
            throw TemplateSyntaxError(line: terminator.line, message: "unexpected {{\(terminator.text)}}")
        }
        return (nodes, parser.definitions)
    }

    private init(source: [UInt8], tokens: [TemplateToken], functions: Set<String>) {
        self.source = source
        self.tokens = tokens
        self.functions = functions
    }

    private var current: TemplateToken { tokens[index] }

    private mutating func next() -> TemplateToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// The next token that is not a space.
    private mutating func nextNonSpace() -> TemplateToken {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let saved = index
        let token = nextNonSpace()
        index = saved
        return token
    }

    private func unexpected(_ token: TemplateToken, _ context: String) -> TemplateSyntaxError {
        let shown: String
        switch token.kind {
        case .eof: shown = "EOF"
        case .rightDelim: shown = "\"}}\""
        case .string: shown = "\"\\\"\(token.text)\\\"\""
        case .keyword: shown = "<\(token.text)>"
        default: shown = "\"\(token.text)\""
        }
        return TemplateSyntaxError(line: token.line, message: "unexpected \(shown) in \(context)")
    }

    /// Parses nodes up to EOF, `{{end}}` or `{{else ...}}`; returns the terminating keyword token
    /// (positioned after it) or nil at EOF.
    private mutating func parseList() throws(TemplateSyntaxError) -> ([TemplateNode], TemplateToken?) {
        var nodes: [TemplateNode] = []
        while true {
            let token = next()
            switch token.kind {
            case .eof:
                return (nodes, nil)
            case .text:
                nodes.append(.text(token.text))
            case .leftDelim:
                let head = peekNonSpace()
                if head.kind == .keyword {
                    _ = nextNonSpace()
                    switch head.text {
                    case "end", "else":
                        return (nodes, head)
                    case "if":
                        nodes.append(try parseControl(head))
                    case "range":
                        nodes.append(try parseControl(head))
                    case "with":
                        nodes.append(try parseControl(head))
                    case "define", "block":
                        let nameToken = nextNonSpace()
                        guard nameToken.kind == .string || nameToken.kind == .rawString else {
                            throw unexpected(nameToken, head.text + " clause")
                        }
                        var pipeline: TemplatePipeline?
                        if head.text == "block" {
                            pipeline = try parsePipeline(context: "block clause", end: .rightDelim)
                        } else {
                            let closing = nextNonSpace()
                            guard closing.kind == .rightDelim else { throw unexpected(closing, "define clause") }
                        }
                        let savedVariables = variables
                        variables = ["$"]
                        let (body, end) = try parseList()
                        variables = savedVariables
                        guard let end, end.text == "end" else {
                            throw TemplateSyntaxError(line: tokens[index].line, message: "unexpected EOF")
                        }
                        let closing = nextNonSpace()
                        guard closing.kind == .rightDelim else { throw unexpected(closing, "end") }
                        definitions[nameToken.text] = body
                        if head.text == "block" {
                            nodes.append(.template(nameToken.text, pipeline, position: nameToken.position))
                        }
                    case "template":
                        let nameToken = nextNonSpace()
                        guard nameToken.kind == .string || nameToken.kind == .rawString else {
                            throw unexpected(nameToken, "template clause")
                        }
                        var pipeline: TemplatePipeline?
                        if peekNonSpace().kind == .rightDelim {
                            _ = nextNonSpace()
                        } else {
                            pipeline = try parsePipeline(context: "template clause", end: .rightDelim)
                        }
                        nodes.append(.template(nameToken.text, pipeline, position: nameToken.position))
                    case "break", "continue":
                        guard rangeDepth > 0 else {
                            throw TemplateSyntaxError(line: head.line, message: "{{\(head.text)}} outside {{range}}")
                        }
                        let closing = nextNonSpace()
                        guard closing.kind == .rightDelim else { throw unexpected(closing, head.text) }
                        nodes.append(head.text == "break" ? .breakNode : .continueNode)
                    default:
                        throw unexpected(head, "input")
                    }
                } else {
                    let pipeline = try parsePipeline(context: "command", end: .rightDelim)
                    nodes.append(.action(pipeline))
                }
            default:
                throw unexpected(token, "input")
            }
        }
    }

    /// Parses `if`/`range`/`with` after its keyword, through its `{{end}}`.
    private mutating func parseControl(_ keyword: TemplateToken) throws(TemplateSyntaxError) -> TemplateNode {
        let savedVariables = variables.count
        defer { variables.removeLast(variables.count - savedVariables) }
        let pipeline = try parsePipeline(context: keyword.text, end: .rightDelim)
        if keyword.text == "range" { rangeDepth += 1 }
        let (list, terminator) = try parseList()
        if keyword.text == "range" { rangeDepth -= 1 }
        guard let terminator else {
            throw TemplateSyntaxError(line: tokens[index].line, message: "unexpected EOF")
        }
        var elseList: [TemplateNode]?
        if terminator.text == "else" {
            let following = peekNonSpace()
            if following.kind == .keyword && (following.text == "if" || following.text == "with")
                && keyword.text != "range"
            {
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}` sharing the final {{end}}.
                _ = nextNonSpace()
                elseList = [try parseControl(following)]
                return make(keyword.text, pipeline, list, elseList)
            }
            let closing = nextNonSpace()
            guard closing.kind == .rightDelim else { throw unexpected(closing, "else") }
            let (otherwise, end) = try parseList()
            guard let end else {
                throw TemplateSyntaxError(line: tokens[index].line, message: "unexpected EOF")
            }
            guard end.text == "end" else {
                throw TemplateSyntaxError(line: end.line, message: "expected end; found {{else}}")
            }
            elseList = otherwise
        }
        let closing = nextNonSpace()
        guard closing.kind == .rightDelim else { throw unexpected(closing, "end") }
        return make(keyword.text, pipeline, list, elseList)
    }

    private func make(
        _ keyword: String, _ pipeline: TemplatePipeline, _ list: [TemplateNode], _ elseList: [TemplateNode]?
    ) -> TemplateNode {
        switch keyword {
        case "if": return .ifNode(pipeline, list, elseList)
        case "range": return .rangeNode(pipeline, list, elseList)
        default: return .withNode(pipeline, list, elseList)
        }
    }

    private mutating func parsePipeline(context: String, end: TemplateToken.Kind) throws(TemplateSyntaxError)
        -> TemplatePipeline
    {
        var pipeline = TemplatePipeline()
        let first = peekNonSpace()
        pipeline.position = first.position
        pipeline.line = first.line
        // Declarations: `$x :=`, `$x =`, `$i, $e :=` (range only).
        if first.kind == .variable {
            let saved = index
            _ = nextNonSpace()
            let after = peekNonSpace()
            if after.kind == .declare || after.kind == .assign {
                _ = nextNonSpace()
                pipeline.variables = [first.text]
                pipeline.isAssign = after.kind == .assign
                if !pipeline.isAssign { variables.append(first.text) }
            } else if after.kind == .comma {
                guard context == "range" else {
                    throw TemplateSyntaxError(line: after.line, message: "too many declarations in \(context)")
                }
                _ = nextNonSpace()
                let second = nextNonSpace()
                let op = nextNonSpace()
                guard second.kind == .variable, op.kind == .declare || op.kind == .assign else {
                    throw TemplateSyntaxError(line: second.line, message: "range can only initialize variables")
                }
                pipeline.variables = [first.text, second.text]
                pipeline.isAssign = op.kind == .assign
                variables.append(first.text)
                variables.append(second.text)
            } else {
                index = saved
            }
        }
        while true {
            let token = peekNonSpace()
            if token.kind == end {
                _ = nextNonSpace()
                if pipeline.commands.isEmpty {
                    throw TemplateSyntaxError(line: token.line, message: "missing value for \(context)")
                }
                return pipeline
            }
            switch token.kind {
            case .eof, .rightDelim, .rightParen, .pipe:
                throw unexpected(token, context)
            default:
                pipeline.commands.append(try parseCommand())
            }
        }
    }

    private mutating func parseCommand() throws(TemplateSyntaxError) -> TemplateCommand {
        let start = peekNonSpace()
        var args: [TemplateOperand] = []
        var operands: [(position: Int, source: String)] = []
        var fieldPositions: [Int?] = []
        var endPosition = start.position
        while true {
            let token = peekNonSpace()
            if token.kind == .rightDelim || token.kind == .rightParen || token.kind == .eof { break }
            if token.kind == .pipe {
                _ = nextNonSpace()
                break
            }
            if !args.isEmpty && tokens[index].kind != .space {
                throw unexpected(token, "operand")
            }
            _ = nextNonSpace()
            let firstField = index
            args.append(try parseOperand(token))
            let last = tokens[max(0, index - 1)]
            endPosition = last.end
            operands.append(
                (token.position, String(decoding: source[token.position..<min(last.end, source.count)], as: UTF8.self)))
            switch args.last! {
            case .variable(_, let names) where !names.isEmpty: fieldPositions.append(tokens[firstField].position)
            case .field: fieldPositions.append(last.position)
            case .chain: fieldPositions.append(last.position)
            default: fieldPositions.append(nil)
            }
        }
        guard !args.isEmpty else {
            throw TemplateSyntaxError(line: start.line, message: "empty command")
        }
        let sourceText = String(
            decoding: source[min(start.position, source.count)..<min(max(endPosition, start.position), source.count)],
            as: UTF8.self)
        return TemplateCommand(
            args: args, position: start.position, line: start.line, source: sourceText, operands: operands,
            fieldPositions: fieldPositions)
    }

    private mutating func parseOperand(_ token: TemplateToken) throws(TemplateSyntaxError) -> TemplateOperand {
        var operand = try parseTerm(token)
        var chain: [String] = []
        while tokens[index].kind == .field {
            chain.append(String(next().text.dropFirst()))
        }
        if !chain.isEmpty {
            switch operand {
            case .field(let names): operand = .field(names + chain)
            case .variable(let name, let names): operand = .variable(name, names + chain)
            case .dot: operand = .field(chain)
            default: operand = .chain(operand, chain)
            }
        }
        return operand
    }

    private mutating func parseTerm(_ token: TemplateToken) throws(TemplateSyntaxError) -> TemplateOperand {
        switch token.kind {
        case .identifier:
            guard functions.contains(token.text) else {
                throw TemplateSyntaxError(line: token.line, message: "function \"\(token.text)\" not defined")
            }
            return .identifier(token.text)
        case .dot: return .dot
        case .nilValue: return .nilValue
        case .variable:
            try checkVariable(token)
            return .variable(token.text, [])
        case .field:
            return .field(token.text.split(separator: ".").map(String.init))
        case .bool: return .bool(token.text == "true")
        case .number, .char:
            // Go number literals: underscores, 0x/0o/0b prefixes; integral text is an int.
            var text = token.text.replacingOccurrences(of: "_", with: "")
            var sign = 1
            if text.hasPrefix("-") || text.hasPrefix("+") {
                sign = text.hasPrefix("-") ? -1 : 1
                text.removeFirst()
            }
            let lower = text.lowercased()
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
                if let int = Int(lower.dropFirst(2), radix: radix) { return .int(sign * int) }
            }
            if let int = Int(text) { return .int(sign * int) }
            if let double = Double(text) { return .float(Double(sign) * double) }
            throw TemplateSyntaxError(line: token.line, message: "illegal number syntax: \"\(token.text)\"")
        case .leftParen:
            let pipeline = try parsePipeline(context: "parenthesized pipeline", end: .rightParen)
            return .pipeline(pipeline)
        case .string, .rawString:
            return .string(token.text)
        default:
            throw unexpected(token, "operand")
        }
    }

    private func checkVariable(_ token: TemplateToken) throws(TemplateSyntaxError) {
        guard variables.contains(token.text) else {
            throw TemplateSyntaxError(line: token.line, message: "undefined variable \"\(token.text)\"")
        }
    }
}
