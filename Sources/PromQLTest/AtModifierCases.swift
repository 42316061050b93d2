import PromQL

/// Builds the extra queries Prometheus's harness runs for every instant eval: the expression with
/// `@ <eval time>` set on each selector and subquery, evaluated at several other times, which must
/// give the same result.
enum AtModifierCases {
    /// The pinned expression text and the times to evaluate it at, or nothing when the expression
    /// holds a function whose value depends on the evaluation time.
    static func cases(_ expr: Expr, at time: Int64) -> [(expr: String, time: Int64)] {
        if containsUnsafeFunction(expr) { return [] }
        let pinned = pin(expr, at: time).description
        let times: [Int64] = time == 0 ? [-1000, 0, 1000] : [-10 * time, 0, time / 5, time, 10 * time]
        return times.map { (pinned, $0) }
    }

    /// Like Prometheus's harness, looks only outside subqueries: every subquery gets pinned, and
    /// what it contains is then evaluated at fixed times anyway.
    private static func containsUnsafeFunction(_ expr: Expr) -> Bool {
        switch expr {
        case .number, .string, .vectorSelector, .matrixSelector: return false
        case .subquery: return false
        case .paren(let e), .unary(_, let e): return containsUnsafeFunction(e)
        case .binary(let b): return containsUnsafeFunction(b.lhs) || containsUnsafeFunction(b.rhs)
        case .aggregate(let a):
            return containsUnsafeFunction(a.expr) || a.param.map(containsUnsafeFunction) == true
        case .call(let c):
            return c.function.isAtModifierUnsafe || c.args.contains(where: containsUnsafeFunction)
        }
    }

    private static func pin(_ expr: Expr, at time: Int64) -> Expr {
        switch expr {
        case .number, .string:
            return expr
        case .vectorSelector(var s):
            if s.at == nil { s.at = .timestamp(time) }
            return .vectorSelector(s)
        case .matrixSelector(var m):
            if m.selector.at == nil { m.selector.at = .timestamp(time) }
            return .matrixSelector(m)
        case .subquery(var s):
            if s.at == nil { s.at = .timestamp(time) }
            return .subquery(s)
        case .paren(let e):
            return .paren(pin(e, at: time))
        case .unary(let op, let e):
            return .unary(op: op, expr: pin(e, at: time))
        case .binary(var b):
            b.lhs = pin(b.lhs, at: time)
            b.rhs = pin(b.rhs, at: time)
            return .binary(b)
        case .aggregate(var a):
            a.expr = pin(a.expr, at: time)
            a.param = a.param.map { pin($0, at: time) }
            return .aggregate(a)
        case .call(var c):
            c.args = c.args.map { pin($0, at: time) }
            return .call(c)
        }
    }
}
