import Testing

@testable import PromQL

/// Queries and the tokens they lex into, as `kind:text` pairs.
private let lexerCases: [(query: String, tokens: [String])] = [
    ("foo", ["identifier:foo"]),
    ("foo:bar", ["metricIdentifier:foo:bar"]),
    ("5m", ["duration:5m"]),
    ("1h30m", ["duration:1h30m"]),
    ("1.5", ["number:1.5"]),
    ("0x1F", ["number:0x1F"]),
    ("Inf nan", ["number:Inf", "number:nan"]),
    (#"{a="b"}"#, ["leftBrace:{", "identifier:a", "assign:=", #"string:"b""#, "rightBrace:}"]),
    (
        #"{a!~'b', c=~`d`}"#,
        [
            "leftBrace:{", "identifier:a", "neqRegex:!~", "string:'b'", "comma:,", "identifier:c",
            "eqlRegex:=~",
            "string:`d`", "rightBrace:}",
        ]
    ),
    (
        "foo[5m:1m]",
        ["identifier:foo", "leftBracket:[", "duration:5m", "colon::", "duration:1m", "rightBracket:]"]
    ),
    (
        "a >= b != c == d <= e",
        [
            "identifier:a", "gte:>=", "identifier:b", "neq:!=", "identifier:c", "eql:==", "identifier:d",
            "lte:<=",
            "identifier:e",
        ]
    ),
    ("a @ 10", ["identifier:a", "at:@", "number:10"]),
    ("# comment only\nfoo", ["identifier:foo"]),
    (
        "sum by (job) (x)",
        [
            "identifier:sum", "identifier:by", "leftParen:(", "identifier:job", "rightParen:)",
            "leftParen:(",
            "identifier:x", "rightParen:)",
        ]
    ),
]

@Test(arguments: lexerCases)
func lexes(query: String, tokens: [String]) throws {
    let lexed = try Lexer.tokenize(query).dropLast().map { "\($0.kind):\($0.text)" }
    #expect(lexed == tokens)
}

/// String literals and their decoded values.
private let stringCases: [(literal: String, value: String)] = [
    (#""a\"b""#, "a\"b"),
    (#"'a\'b'"#, "a'b"),
    (#""\n\t\\""#, "\n\t\\"),
    (#""\x41\101\u00e9\U0001F600""#, "AAé😀"),
    ("`a\\nb`", "a\\nb"),
]

@Test(arguments: stringCases)
func decodesStrings(literal: String, value: String) throws {
    let tokens = try Lexer.tokenize(literal)
    #expect(tokens.first?.stringValue == value)
}
