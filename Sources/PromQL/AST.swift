import Series

/// The type of value an expression evaluates to.
public enum ValueType: String, Sendable {
    /// A single float without labels.
    case scalar
    /// A set of series with one sample each, at the evaluation time.
    case vector = "instant vector"
    /// A set of series with the samples of a time range each.
    case matrix = "range vector"
    /// A string literal.
    case string
}

/// A parsed PromQL expression.
public indirect enum Expr: Sendable {
    /// A float literal such as `1`, `2.5e3`, `Inf`; durations in expression position become seconds.
    case number(Double)
    /// A string literal; `raw` is the source spelling, used to report invalid UTF-8 faithfully.
    case string(value: String, raw: String)
    /// An instant vector selector, `foo{a="b"} offset 5m @ 10`.
    case vectorSelector(VectorSelector)
    /// A range vector selector, `foo[5m]`.
    case matrixSelector(MatrixSelector)
    /// A subquery, `expr[1h:5m]`.
    case subquery(SubqueryExpr)
    /// A parenthesised expression.
    case paren(Expr)
    /// A unary `-` or `+`.
    case unary(op: BinaryOperator, expr: Expr)
    /// A binary operation.
    case binary(BinaryExpr)
    /// An aggregation such as `sum by (job) (x)`.
    case aggregate(AggregateExpr)
    /// A function call.
    case call(Call)

    /// The type the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector: return .vector
        case .matrixSelector, .subquery: return .matrix
        case .paren(let inner): return inner.type
        case .unary(_, let inner): return inner.type
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .aggregate: return .vector
        case .call(let c): return c.function.returnType
        }
    }

    /// The expression with enclosing parentheses removed.
    public var unwrapped: Expr {
        if case .paren(let inner) = self { return inner.unwrapped }
        return self
    }
}

/// Where an `@` modifier pins evaluation.
public enum AtModifier: Sendable, Equatable {
    /// A fixed time in milliseconds.
    case timestamp(Int64)
    /// `@ start()`: the start of the range query (the evaluation time for instant queries).
    case start
    /// `@ end()`: the end of the range query (the evaluation time for instant queries).
    case end
}

/// An instant vector selector.
public struct VectorSelector: Sendable {
    /// The metric name as written before the braces, if any.
    public var name: String?
    /// All matchers, including the `__name__` matcher implied by `name`.
    public var matchers: [LabelMatcher]
    /// The `offset` in milliseconds (negative looks ahead).
    public var offset: Int64 = 0
    /// The `@` modifier, if any.
    public var at: AtModifier?

    /// Creates a selector.
    public init(name: String?, matchers: [LabelMatcher], offset: Int64 = 0, at: AtModifier? = nil) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
    }
}

/// A range vector selector: an instant selector and a range.
public struct MatrixSelector: Sendable {
    /// The underlying selector; its offset and `@` apply to the range's end.
    public var selector: VectorSelector
    /// The range in milliseconds.
    public var range: Int64
}

/// A subquery: an instant-vector expression evaluated at steps over a range.
public struct SubqueryExpr: Sendable {
    /// The inner expression.
    public var expr: Expr
    /// The range in milliseconds.
    public var range: Int64
    /// The step in milliseconds; 0 means the engine's default resolution.
    public var step: Int64
    /// The `offset` in milliseconds.
    public var offset: Int64 = 0
    /// The `@` modifier, if any.
    public var at: AtModifier?
}

/// The binary operators, with Prometheus's precedence and associativity.
public enum BinaryOperator: String, Sendable, CaseIterable {
    /// `+`, also unary plus.
    case add = "+"
    /// `-`, also unary minus.
    case sub = "-"
    /// `*`.
    case mul = "*"
    /// `/`; division by zero gives ±Inf or NaN.
    case div = "/"
    /// `%`, the floating-point remainder.
    case mod = "%"
    /// `^`, right-associative.
    case pow = "^"
    /// `atan2`, binding like `*`.
    case atan2
    /// `==`.
    case eql = "=="
    /// `!=`.
    case neq = "!="
    /// `>`.
    case gtr = ">"
    /// `<`.
    case lss = "<"
    /// `>=`.
    case gte = ">="
    /// `<=`.
    case lte = "<="
    /// Set intersection of instant vectors.
    case and
    /// Set union of instant vectors.
    case or
    /// Set difference of instant vectors.
    case unless

    /// Binding strength; higher binds tighter.
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }

    /// Whether the operator compares (and so filters unless `bool` is given).
    public var isComparison: Bool {
        [.eql, .neq, .gtr, .lss, .gte, .lte].contains(self)
    }

    /// Whether the operator is a set operator (`and`, `or`, `unless`).
    public var isSetOperator: Bool {
        [.and, .or, .unless].contains(self)
    }
}

/// How series on the two sides of a binary operation are matched.
public enum VectorMatchCardinality: Sendable, Equatable {
    /// Each series matches at most one series on the other side.
    case oneToOne
    /// `group_left`: many series on the left match one on the right.
    case manyToOne
    /// `group_right`: one series on the left matches many on the right.
    case oneToMany
    /// Set operators, which match any number on both sides.
    case manyToMany
}

/// The `on`/`ignoring` and `group_left`/`group_right` modifiers of a binary operation.
public struct VectorMatching: Sendable {
    /// The matching cardinality.
    public var card: VectorMatchCardinality = .oneToOne
    /// The labels of `on(...)` or `ignoring(...)`.
    public var matchingLabels: [String] = []
    /// True for `on`, false for `ignoring` (or no modifier).
    public var on = false
    /// The extra labels copied from the "one" side with `group_left(...)`/`group_right(...)`.
    public var include: [String] = []
    /// Whether any matching modifier (`on`/`ignoring`) was written.
    public var explicit = false
}

/// A binary operation.
public struct BinaryExpr: Sendable {
    /// The operator.
    public var op: BinaryOperator
    /// Left operand.
    public var lhs: Expr
    /// Right operand.
    public var rhs: Expr
    /// Vector matching, present when both sides are vectors.
    public var matching: VectorMatching?
    /// Whether the `bool` modifier was given.
    public var returnBool = false
}

/// The aggregation operators.
public enum AggregateOp: String, Sendable, CaseIterable {
    /// Aggregations computing one value per group.
    case sum, avg, count, min, max, group, stddev, stdvar
    /// Aggregations selecting series of each group: the k largest or smallest.
    case topk, bottomk
    /// Counts series per distinct value, under a label named by the parameter.
    case countValues = "count_values"
    /// The φ-quantile per group.
    case quantile
    /// Selects the first k series of each group.
    case limitk
    /// Selects a deterministic share of each group's series (negative: the complement).
    case limitRatio = "limit_ratio"

    /// Whether the operator takes a parameter before the vector.
    public var takesParameter: Bool {
        [.topk, .bottomk, .countValues, .quantile, .limitk, .limitRatio].contains(self)
    }
}

/// An aggregation.
public struct AggregateExpr: Sendable {
    /// The operator.
    public var op: AggregateOp
    /// The aggregated expression.
    public var expr: Expr
    /// The parameter of `topk`, `quantile`, `count_values`...
    public var param: Expr?
    /// The `by` or `without` labels.
    public var grouping: [String] = []
    /// True for `without`.
    public var without = false
    /// Whether `by`/`without` was written at all.
    public var hasGrouping = false
}

/// A function call.
public struct Call: Sendable {
    /// The function's signature.
    public var function: FunctionSignature
    /// The arguments.
    public var args: [Expr]
}

/// The signature of a PromQL function: argument and return types.
public struct FunctionSignature: Sendable {
    /// The function name.
    public var name: String
    /// Argument types; the last repeats when `variadic` is non-zero.
    public var argTypes: [ValueType]
    /// 0: exact arity; -1: the last argument repeats any number of times; n > 0: up to n optional trailing arguments.
    public var variadic: Int = 0
    /// The result type.
    public var returnType: ValueType
}
