/// A template error, worded as Go's text/template words it:
/// `template: NAME:LINE: message` when parsing, `template: NAME:LINE:COL: executing "NAME" at
/// <...>: message` when executing.
struct TemplateError: Error, CustomStringConvertible {
    var description: String
}

/// A function callable from templates. Receives evaluated arguments (the piped value last).
typealias TemplateFunction = @Sendable ([TemplateValue]) async throws -> TemplateValue

/// A failure inside a template function: becomes `error calling NAME: message`.
struct TemplateFunctionError: Error {
    var message: String
}

/// A parsed Go text/template.
struct GoTemplate {
    /// The template's name, shown in errors.
    let name: String
    let text: String
    let nodes: [TemplateNode]
    /// Templates defined with `{{define}}` or `{{block}}`, by name.
    let definitions: [String: [TemplateNode]]

    /// The names of Go's built-in template functions.
    static let builtins: Set<String> = [
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt", "le",
        "gt", "ge", "html", "js", "urlquery", "call",
    ]

    /// Parses `text`; `functions` are the names callable besides the built-ins.
    static func parse(_ text: String, name: String, functions: Set<String>) throws(TemplateError) -> GoTemplate {
        do {
            let parsed = try TemplateParser.parse(text, functions: functions.union(builtins))
            return GoTemplate(name: name, text: text, nodes: parsed.nodes, definitions: parsed.definitions)
        } catch {
            throw TemplateError(description: "template: \(name):\(error.line): \(error.message)")
        }
    }

    /// Executes the template with `data` as dot.
    func execute(data: TemplateValue, functions: [String: TemplateFunction]) async throws(TemplateError) -> String {
        var executor = TemplateExecutor(template: self, functions: functions, variables: [("$", data)])
        do {
            try await executor.walk(nodes, dot: data)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(description: "template: \(name): \(error)")
        }
        return executor.output
    }
}

/// Control flow out of a `range` body.
private enum LoopControl: Error {
    case breakLoop
    case continueLoop
}

/// Walks parsed nodes, writing output; the state of one execution.
struct TemplateExecutor {
    let template: GoTemplate
    let functions: [String: TemplateFunction]
    var variables: [(String, TemplateValue)]
    var output = ""

    init(template: GoTemplate, functions: [String: TemplateFunction], variables: [(String, TemplateValue)]) {
        self.template = template
        self.functions = functions
        self.variables = variables
    }

    /// An execution error at a command, worded as Go's.
    func error(at command: TemplateCommand?, _ message: String) -> TemplateError {
        guard let command else {
            return TemplateError(description: "template: \(template.name): executing \"\(template.name)\": \(message)")
        }
        return error(position: command.position, node: command.source, message)
    }

    /// An execution error at byte `position`, naming `node` as Go's `ErrorContext` does.
    func error(position: Int, node: String, _ message: String) -> TemplateError {
        let prefix = Array(template.text.utf8.prefix(position))
        let line = prefix.filter { $0 == 0x0A }.count + 1
        let column = prefix.lastIndex(of: 0x0A).map { position - $0 - 1 } ?? position
        return TemplateError(
            description:
                "template: \(template.name):\(line):\(column): executing \"\(template.name)\" at <\(node)>: \(message)")
    }

    /// An error about operand `index` of `command`.
    func error(at command: TemplateCommand, operand index: Int, _ message: String) -> TemplateError {
        guard index < command.operands.count else { return error(at: command, message) }
        let operand = command.operands[index]
        return error(position: operand.position, node: operand.source, message)
    }

    mutating func walk(_ nodes: [TemplateNode], dot: TemplateValue) async throws {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .action(let pipeline):
                let value = try await evalPipeline(pipeline, dot: dot)
                if pipeline.variables.isEmpty {
                    output += value.printed
                }
            case .ifNode(let pipeline, let list, let elseList):
                let mark = variables.count
                let value = try await evalPipeline(pipeline, dot: dot)
                if value.isTrue {
                    try await walk(list, dot: dot)
                } else if let elseList {
                    try await walk(elseList, dot: dot)
                }
                variables.removeLast(variables.count - mark)
            case .withNode(let pipeline, let list, let elseList):
                let mark = variables.count
                let value = try await evalPipeline(pipeline, dot: dot)
                if value.isTrue {
                    try await walk(list, dot: value)
                } else if let elseList {
                    try await walk(elseList, dot: dot)
                }
                variables.removeLast(variables.count - mark)
            case .rangeNode(let pipeline, let list, let elseList):
                try await walkRange(pipeline, list, elseList, dot: dot)
            case .template(let name, let pipeline, let position):
                guard let body = template.definitions[name] else {
                    throw error(
                        position: position, node: "{{template \(goQuote(name))}}",
                        "template \(goQuote(name)) not defined")
                }
                var value = TemplateValue.nilValue
                if let pipeline { value = try await evalPipeline(pipeline, dot: dot) }
                let saved = variables
                variables = [("$", value)]
                defer { variables = saved }
                try await walk(body, dot: value)
            case .breakNode:
                throw LoopControl.breakLoop
            case .continueNode:
                throw LoopControl.continueLoop
            }
        }
    }

    private mutating func walkRange(
        _ pipeline: TemplatePipeline, _ list: [TemplateNode], _ elseList: [TemplateNode]?, dot: TemplateValue
    ) async throws {
        let mark = variables.count
        defer { variables.removeLast(variables.count - mark) }
        var declared = pipeline
        declared.variables = []
        let value = try await evalPipeline(declared, dot: dot)
        var items: [(TemplateValue, TemplateValue)] = []
        switch value {
        case .stringMap(let map):
            items = map.keys.sorted().map { (.string($0), .string(map[$0]!)) }
        case .anyMap(let map):
            items = map.keys.sorted().map { (.string($0), map[$0]!) }
        case .samples(let list):
            items = list.enumerated().map { (.int($0.offset), .sample($0.element)) }
        case .invalid, .nilValue:
            items = []
        default:
            throw error(at: pipeline.commands.last, "range can't iterate over \(value.printed)")
        }
        if items.isEmpty {
            if let elseList { try await walk(elseList, dot: dot) }
            return
        }
        for (key, element) in items {
            let inner = variables.count
            if pipeline.variables.count == 1 {
                variables.append((pipeline.variables[0], element))
            } else if pipeline.variables.count == 2 {
                variables.append((pipeline.variables[0], key))
                variables.append((pipeline.variables[1], element))
            }
            do {
                try await walk(list, dot: element)
            } catch LoopControl.breakLoop {
                variables.removeLast(variables.count - inner)
                break
            } catch LoopControl.continueLoop {
            }
            variables.removeLast(variables.count - inner)
        }
    }

    mutating func evalPipeline(_ pipeline: TemplatePipeline, dot: TemplateValue) async throws -> TemplateValue {
        var value: TemplateValue? = nil
        for command in pipeline.commands {
            value = try await evalCommand(command, dot: dot, final: value)
        }
        let result = value ?? .invalid
        for name in pipeline.variables {
            if pipeline.isAssign {
                guard let index = variables.lastIndex(where: { $0.0 == name }) else {
                    throw error(at: pipeline.commands.last, "undefined variable: \(name)")
                }
                variables[index].1 = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private mutating func evalCommand(_ command: TemplateCommand, dot: TemplateValue, final: TemplateValue?)
        async throws -> TemplateValue
    {
        let first = command.args[0]
        if case .identifier(let name) = first {
            return try await call(name, Array(command.args.dropFirst()), command: command, dot: dot, final: final)
        }
        if command.args.count > 1 || final != nil {
            let node = command.operands.first?.source ?? command.source
            throw error(at: command, operand: 0, "can't give argument to non-function \(node)")
        }
        if case .nilValue = first { throw error(at: command, operand: 0, "nil is not a command") }
        return try await evalOperand(first, command: command, dot: dot)
    }

    mutating func evalOperand(
        _ operand: TemplateOperand, command: TemplateCommand, dot: TemplateValue, index: Int = 0
    ) async throws -> TemplateValue {
        do {
            return try await evalOperandUnlocated(operand, command: command, dot: dot)
        } catch let failure as FieldError {
            if let position = command.fieldPositions.indices.contains(index) ? command.fieldPositions[index] : nil {
                throw error(position: position, node: command.operands[index].source, failure.message)
            }
            throw error(at: command, failure.message)
        }
    }

    private mutating func evalOperandUnlocated(
        _ operand: TemplateOperand, command: TemplateCommand, dot: TemplateValue
    ) async throws -> TemplateValue {
        switch operand {
        case .dot: return dot
        case .nilValue: return .nilValue
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .field(let names): return try fields(names, of: dot, command: command)
        case .variable(let name, let names):
            guard let value = variables.last(where: { $0.0 == name })?.1 else {
                throw error(at: command, "undefined variable: \(name)")
            }
            return try fields(names, of: value, command: command)
        case .identifier(let name):
            return try await call(name, [], command: command, dot: dot, final: nil)
        case .chain(let inner, let names):
            return try fields(
                names, of: try await evalOperandUnlocated(inner, command: command, dot: dot), command: command)
        case .pipeline(let pipeline):
            let mark = variables.count
            defer { variables.removeLast(variables.count - mark) }
            return try await evalPipeline(pipeline, dot: dot)
        }
    }

    private func fields(_ names: [String], of value: TemplateValue, command: TemplateCommand) throws
        -> TemplateValue
    {
        var current = value
        for name in names {
            switch current {
            // Prometheus runs templates with `missingkey=zero`: a missing key is the zero value.
            case .stringMap(let map):
                current = .string(map[name] ?? "")
            case .anyMap(let map):
                current = map[name] ?? .nilValue
            case .record(let fields):
                guard let field = fields.first(where: { $0.name == name }) else {
                    throw FieldError(message: "can't evaluate field \(name) in type \(current.goType)")
                }
                current = field.value
            case .sample(let sample):
                switch name {
                case "Labels": current = .stringMap(sample.labels)
                case "Value": current = .float(sample.value)
                default: throw FieldError(message: "can't evaluate field \(name) in type *template.sample")
                }
            case .invalid, .nilValue:
                throw FieldError(message: "nil pointer evaluating interface {}.\(name)")
            default:
                throw FieldError(message: "can't evaluate field \(name) in type \(current.goType)")
            }
        }
        return current
    }

    private mutating func call(
        _ name: String, _ args: [TemplateOperand], command: TemplateCommand, dot: TemplateValue,
        final: TemplateValue?
    ) async throws -> TemplateValue {
        // `and` and `or` evaluate their arguments lazily.
        if name == "and" || name == "or" {
            var operands = args.map { Optional($0) }
            if final != nil { operands.append(nil) }
            guard !operands.isEmpty else {
                throw error(at: command, "wrong number of args for \(name): want at least 1 got 0")
            }
            var value = TemplateValue.invalid
            for operand in operands {
                if let operand {
                    value = try await evalOperand(operand, command: command, dot: dot)
                } else {
                    value = final ?? .invalid
                }
                if (name == "and") != value.isTrue { return value }
            }
            return value
        }
        var values: [TemplateValue] = []
        for (offset, arg) in args.enumerated() {
            values.append(try await evalOperand(arg, command: command, dot: dot, index: offset + 1))
        }
        if let final { values.append(final) }
        do {
            if let builtin = try TemplateBuiltins.call(name, values) { return builtin }
            guard let function = functions[name] else {
                throw error(at: command, "\"\(name)\" is not a defined function")
            }
            return try await function(values)
        } catch let failure as TemplateFunctionError {
            throw error(at: command, "error calling \(name): \(failure.message)")
        } catch let failure as TemplateArgumentError {
            throw argumentError(failure, name: name, command: command, explicit: args.count)
        }
    }

    /// Go's wording and node for a bad call: arity at the function's name; a literal of the wrong
    /// type as `expected string; found 1` at the literal; a computed value of the wrong type at the
    /// last argument.
    private func argumentError(
        _ failure: TemplateArgumentError, name: String, command: TemplateCommand, explicit: Int
    ) -> TemplateError {
        guard let argument = failure.argument, let expected = failure.expected else {
            let position = command.operands.first?.position ?? command.position
            return error(position: position, node: name, failure.message)
        }
        if argument < explicit {
            let operand = argument + 1
            if command.isLiteral(operand) {
                let found = command.operands[operand].source
                let message: String
                switch expected {
                case "string": message = "expected string; found \(found)"
                case "float64": message = "expected float; found \(found)"
                case "int": message = "expected integer; found \(found)"
                default: message = "can't handle \(found) for arg of type \(expected)"
                }
                return error(at: command, operand: operand, message)
            }
            return error(at: command, operand: operand, failure.message)
        }
        if explicit > 0 { return error(at: command, operand: explicit, failure.message) }
        let position = command.operands.first?.position ?? command.position
        return error(position: position, node: name, failure.message)
    }
}

/// A wrong argument count or type, reported without the `error calling` prefix as Go does.
struct TemplateArgumentError: Error {
    var message: String
    /// The index of the offending argument (the piped value is last), for type errors.
    var argument: Int?
    /// The Go type the function wanted there.
    var expected: String?
}

/// A failed field access (`can't evaluate field X in type T`), located at the field.
struct FieldError: Error {
    var message: String
}
