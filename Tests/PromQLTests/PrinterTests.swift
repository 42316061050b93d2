import PromQL
import Testing

/// Queries and their canonical form as Prometheus's printer writes them.
private let printerCases: [(query: String, canonical: String)] = [
    ("1", "1"),
    ("-1^2", "-1 ^ 2"),
    ("+1 + -2 * 1", "1 + -2 * 1"),
    ("0755", "493"),
    ("0xc", "12"),
    (".5", "0.5"),
    ("1e6", "1000000"),
    ("Inf", "+Inf"),
    ("-inf", "-Inf"),
    ("NaN", "NaN"),
    (#"'single'"#, #""single""#),
    ("`raw\\n`", #""raw\\n""#),
    ("foo", "foo"),
    (#"foo{b="2", a="1"}"#, #"foo{a="1",b="2"}"#),
    (#"{__name__="foo"}"#, #"{__name__="foo"}"#),
    (#"{"some.metric"}"#, #"{__name__="some.metric"}"#),
    (#"foo{"label.with.dots"="x"}"#, #"foo{"label.with.dots"="x"}"#),
    (#"foo{a=~"b.*", c!~"d", e!="f"}"#, #"foo{a=~"b.*",c!~"d",e!="f"}"#),
    ("foo offset 5m", "foo offset 5m"),
    ("foo offset -90m", "foo offset -1h30m"),
    ("foo @ 100", "foo @ 100.000"),
    ("foo @ 1.5 offset 1m", "foo @ 1.500 offset 1m"),
    ("foo offset 1m @ start()", "foo @ start() offset 1m"),
    ("foo @ end()", "foo @ end()"),
    ("foo[5m]", "foo[5m]"),
    ("foo[300]", "foo[5m]"),
    ("foo[1h30m] offset 10s @ 3", "foo[1h30m] @ 3.000 offset 10s"),
    ("foo[26m+4m]", "foo[30m]"),
    ("foo[5m:]", "foo[5m:]"),
    ("foo[5m:1m] offset 2m", "foo[5m:1m] offset 2m"),
    ("rate(foo[5m])[30m:1m] @ 50", "rate(foo[5m])[30m:1m] @ 50.000"),
    ("a + b", "a + b"),
    ("a > bool b", "a > bool b"),
    ("a * on(x, y) group_left(z) b", "a * on (x, y) group_left (z) b"),
    ("a / ignoring(x) group_right b", "a / ignoring (x) group_right () b"),
    ("a and on() b", "a and on () b"),
    ("a or ignoring() b", "a or b"),
    ("a unless ignoring(c) b", "a unless ignoring (c) b"),
    ("sum(foo)", "sum(foo)"),
    ("sum by (job) (foo)", "sum by (job) (foo)"),
    ("sum(foo) by (job, instance)", "sum by (job, instance) (foo)"),
    ("SUM without (job) (foo)", "sum without (job) (foo)"),
    ("sum without () (foo)", "sum without () (foo)"),
    ("sum by () (foo)", "sum(foo)"),
    (#"sum by ("foo bar") (x)"#, #"sum by ("foo bar") (x)"#),
    ("topk(3, foo)", "topk(3, foo)"),
    (#"count_values("v", foo)"#, #"count_values("v", foo)"#),
    ("quantile by (a) (0.9, foo)", "quantile by (a) (0.9, foo)"),
    ("(a + b) * c", "(a + b) * c"),
    ("-foo", "-foo"),
    ("+foo", "+foo"),
    ("time()", "time()"),
    (#"label_replace(up, "a", "$1", "b", "(.*)")"#, #"label_replace(up, "a", "$1", "b", "(.*)")"#),
    (
        "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
        "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"
    ),
    ("foo # comment\n+ bar", "foo + bar"),
    ("a - b - c", "a - b - c"),
    ("a ^ b ^ c", "a ^ b ^ c"),
    ("on", "on"),
    ("sum(sum)", "sum(sum)"),
    ("node_namespace_pod:kube_pod_info:", "node_namespace_pod:kube_pod_info:"),
]

@Test(arguments: printerCases)
func printsCanonicalPromQL(query: String, canonical: String) throws {
    let printed = try PromQLParser.parse(query).description
    #expect(printed == canonical, "query: \(query)")
    let reprinted = try PromQLParser.parse(printed).description
    #expect(reprinted == printed, "round trip of \(printed)")
}

/// Operator precedence and associativity, shown by where the parser puts the parentheses.
private let precedenceCases: [(query: String, grouped: String)] = [
    ("a + b * c", "a + (b * c)"),
    ("a * b + c", "(a * b) + c"),
    ("a - b - c", "(a - b) - c"),
    ("a ^ b ^ c", "a ^ (b ^ c)"),
    ("-a ^ b", "-(a ^ b)"),
    ("-a * b", "(-a) * b"),
    ("a or b and c", "a or (b and c)"),
    ("a and b unless c", "(a and b) unless c"),
    ("a == b + c", "a == (b + c)"),
    ("a + b atan2 c", "a + (b atan2 c)"),
    ("a or b > c", "a or (b > c)"),
]

/// Renders an expression with every binary operation parenthesised.
private func grouped(_ expr: Expr) -> String {
    switch expr {
    case .binary(let b):
        func side(_ e: Expr) -> String {
            if case .binary = e { return "(\(grouped(e)))" }
            if case .unary = e { return "(\(grouped(e)))" }
            return grouped(e)
        }
        return "\(side(b.lhs)) \(b.op.rawValue) \(side(b.rhs))"
    case .unary(let op, let inner):
        if case .binary = inner { return "\(op.rawValue)(\(grouped(inner)))" }
        return "\(op.rawValue)\(grouped(inner))"
    default:
        return expr.description
    }
}

@Test(arguments: precedenceCases)
func precedence(query: String, expected: String) throws {
    #expect(grouped(try PromQLParser.parse(query)) == expected)
}
