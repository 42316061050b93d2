/// A node of a parsed Go text/template.
indirect enum TemplateNode {
    case text(String)
    case action(TemplatePipeline)
    case ifNode(TemplatePipeline, [TemplateNode], [TemplateNode]?)
    case rangeNode(TemplatePipeline, [TemplateNode], [TemplateNode]?)
    case withNode(TemplatePipeline, [TemplateNode], [TemplateNode]?)
    case breakNode
    /// `{{template "name" pipeline}}`.
    case template(String, TemplatePipeline?, position: Int)
    case continueNode
}

/// `$x := cmd | cmd`: optional variable declaration or assignment and a chain of commands.
struct TemplatePipeline {
    var variables: [String] = []
    var isAssign = false
    var commands: [TemplateCommand] = []
    /// Byte offset, for error context.
    var position = 0
    var line = 1
}

/// One command of a pipeline: a function or value and its arguments.
struct TemplateCommand {
    var args: [TemplateOperand]
    var position: Int
    var line: Int
    /// The command's source text, for `executing ... at <...>` messages.
    var source: String
    /// Each operand's byte offset and source text, for messages about one operand.
    var operands: [(position: Int, source: String)] = []
    /// Where Go reports a failed field access of each operand: the first field after a
    /// variable, the last field of a chain from dot.
    var fieldPositions: [Int?] = []

    /// Whether operand `index` is a literal constant, whose type Go checks before calling.
    func isLiteral(_ index: Int) -> Bool {
        switch args[index] {
        case .string, .int, .float, .bool, .nilValue: return true
        default: return false
        }
    }
}

/// An operand of a command.
indirect enum TemplateOperand {
    case dot
    case field([String])
    case variable(String, [String])
    case identifier(String)
    case chain(TemplateOperand, [String])
    case pipeline(TemplatePipeline)
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case nilValue
}
