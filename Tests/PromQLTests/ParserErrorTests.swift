import PromQL
import Testing

/// Queries that must fail to parse, with Prometheus's position and wording.
private let parseErrorCases: [(query: String, error: String)] = [
    ("", "1:1: parse error: no expression found in input"),
    ("# just a comment\n\n", "1:1: parse error: no expression found in input"),
    ("1+", "1:3: parse error: unexpected end of input"),
    (".", "1:1: parse error: unexpected character: '.'"),
    ("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\""),
    ("100..4", "1:1: parse error: bad number or duration syntax: \"100..\""),
    ("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\""),
    ("1 /", "1:4: parse error: unexpected end of input"),
    ("*1", "1:1: parse error: unexpected <op:*>"),
    ("(1))", "1:4: parse error: unexpected right parenthesis ')'"),
    ("((1)", "1:5: parse error: unclosed left parenthesis"),
    ("(", "1:2: parse error: unclosed left parenthesis"),
    ("max(awesomeness", "1:16: parse error: unclosed left parenthesis"),
    ("1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"),
    ("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
    ("1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression"),
    ("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"),
    ("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"),
    (
        #"-"string""#,
        "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""
    ),
    (
        "-test[5m]",
        "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\""
    ),
    ("@@", "1:1: parse error: unexpected <op:@>"),
    (
        "1 offset 1d",
        "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
    ),
    ("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times"),
    ("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"),
    ("{", "1:2: parse error: unexpected end of input inside braces"),
    ("}", "1:1: parse error: unexpected character: '}'"),
    ("some{", "1:6: parse error: unexpected end of input inside braces"),
    (
        "some_metric{a=b}",
        "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"
    ),
    (#"some_metric{a:b="b"}"#, "1:14: parse error: unexpected character inside braces: ':'"),
    (#"foo{a*"b"}"#, "1:6: parse error: unexpected character inside braces: '*'"),
    (#"foo{a>="b"}"#, "1:6: parse error: unexpected character inside braces: '>'"),
    (
        "foo{gibberish}",
        "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"
    ),
    ("foo{1}", "1:5: parse error: unexpected character inside braces: '1'"),
    ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
    (#"{x=""}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
    (#"{x=~".*"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
    (
        #"foo{__name__="bar"}"#,
        "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""
    ),
    ("foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string"),
    ("foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""),
    (
        #"foo{__name__="bar" lol}"#,
        "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""
    ),
    (#"foo{"a"=}"#, "1:9: parse error: unexpected \"}\" in label matching, expected string"),
    ("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\""),
    ("foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\""),
    ("foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\""),
    ("foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\""),
    ("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\""),
    ("foo[0m]", "1:5: parse error: duration must be greater than 0"),
    ("foo[-1]", "1:5: parse error: duration must be greater than 0"),
    ("some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\""),
    ("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"),
    ("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"),
    ("some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"),
    ("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors"),
    (
        "sum without(==)(some_metric)",
        "1:13: parse error: unexpected <op:==> in grouping opts, expected label"
    ),
    (
        "sum without(,)(some_metric)",
        "1:13: parse error: unexpected \",\" in grouping opts, expected label"
    ),
    ("sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\""),
    (
        "sum (some_metric) by test",
        "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\""
    ),
    ("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"),
    ("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>"),
    (
        "topk(some_metric)",
        "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"
    ),
    ("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args"),
    (
        "topk(some_metric, other_metric)",
        "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"
    ),
    (
        "count_values(5, other_metric)",
        "1:14: parse error: expected type string in aggregation parameter, got scalar"
    ),
    (
        "rate(some_metric[5m]) @ 1234",
        "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
    ),
    ("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0"),
    ("floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2"),
    (
        "floor(1)",
        "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar"
    ),
    (
        "hour(some_metric, some_metric, some_metric)",
        "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3"
    ),
    ("time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"),
    (
        "non_existent_function_far_bar()",
        "1:1: parse error: unknown function with name \"non_existent_function_far_bar\""
    ),
    (
        "rate(some_metric)",
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"
    ),
    ("-=", "1:2: parse error: unexpected \"=\""),
    ("++-++-+-+-<", "1:11: parse error: unexpected <op:<>"),
    ("e-+=/(0)", "1:4: parse error: unexpected \"=\""),
    ("a>b()", "1:3: parse error: unknown function with name \"b\""),
    (
        "rate(avg)",
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"
    ),
    ("`\\``", "1:4: parse error: unterminated raw string"),
    (#""\"#, "1:1: parse error: escape sequence not terminated"),
    (#""\c""#, "1:1: parse error: unknown escape sequence U+0063 'c'"),
    (#""\x.""#, "1:1: parse error: illegal character U+002E '.' in escape sequence"),
    ("foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"),
    ("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"),
    (
        "foo[5m][5m:1m]",
        "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"
    ),
    ("1 + on(foo) 2", "1:1: parse error: vector matching only allowed between instant vectors"),
    (
        "foo + on(a) group_left(a) bar",
        "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once"
    ),
    ("foo[5m:-1m]", "1:8: parse error: duration must be greater than 0"),
    ("foo[99999999999y]", "1:5: parse error: duration out of range: \"99999999999y\""),
    ("foo offset (1e300)", "1:12: parse error: duration out of range"),
    ("foo @ 1e300", "1:7: parse error: timestamp out of bounds for @ modifier: 1e+300"),
    ("foo and on(a) group_left bar", "1:5: parse error: no grouping allowed for \"and\" operation"),
]

@Test(arguments: parseErrorCases)
func parseErrors(query: String, error: String) {
    #expect(throws: (any Error).self) { try PromQLParser.parse(query) }
    do {
        let parsed = try PromQLParser.parse(query)
        Issue.record("\(query) parsed as \(parsed)")
    } catch let parseError as ParseError {
        #expect(parseError.description == error, "query: \(query)")
    } catch {
        Issue.record("unexpected error type \(error)")
    }
}

/// Nesting is bounded so that no query can overflow a stack: deep unary chains, parentheses,
/// calls and operator chains are refused past 256 levels with a position, and shallower ones
/// still parse. (Prometheus has no limit; see docs/promql.md.)
@Test func deepNestingIsRefusedNotACrash() throws {
    for deep in [
        String(repeating: "-", count: 10_000) + "1",
        String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
        String(repeating: "abs(", count: 3_000) + "x" + String(repeating: ")", count: 3_000),
        Array(repeating: "x", count: 400).joined(separator: " + "),
    ] {
        #expect(throws: ParseError.self) { try PromQLParser.parse(deep) }
        do {
            _ = try PromQLParser.parse(deep)
        } catch let error as ParseError {
            #expect(error.description.contains("parse error: expression nested too deeply (more than 256 levels)"))
        }
    }
    _ = try PromQLParser.parse(String(repeating: "-", count: 100) + "1")
    _ = try PromQLParser.parse(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100))
    _ = try PromQLParser.parse(Array(repeating: "x", count: 100).joined(separator: " + "))
}
