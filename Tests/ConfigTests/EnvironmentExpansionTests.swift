import Testing

@testable import Config

@Suite struct EnvironmentExpansionTests {
    static let environment = ["TOKEN": "s3cret", "EMPTY": "", "HOST": "example.com", "PORT": "9090"]

    static let valid: [(String, String)] = [
        ("plain text", "plain text"),
        ("${TOKEN}", "s3cret"),
        ("Bearer ${TOKEN}", "Bearer s3cret"),
        ("https://${HOST}:${PORT}/api", "https://example.com:9090/api"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${HOST:-fallback}", "example.com"),
        ("${MISSING:-}", ""),
        ("${EMPTY}", ""),
        ("${MISSING:-${HOST}}", "example.com"),
        ("${HOST:-${UNSET_BUT_UNUSED}}", "example.com"),
        ("${MISSING:-a:b-c}", "a:b-c"),
        ("$$", "$"),
        ("$${TOKEN}", "${TOKEN}"),
        ("pa$word", "pa$word"),
        ("cost $5", "cost $5"),
        ("trailing $", "trailing $"),
        ("$$$$", "$$"),
        ("ünïcödé ${HOST} ✓", "ünïcödé example.com ✓"),
    ]

    @Test(arguments: valid)
    func expands(input: String, expected: String) throws {
        #expect(try EnvironmentExpansion.expand(input, environment: Self.environment) == expected)
    }

    static let invalid: [(String, String)] = [
        ("${MISSING}", "environment variable MISSING is not set"),
        ("${MISSING:-${ALSO_MISSING}}", "environment variable ALSO_MISSING is not set"),
        ("${}", "must be followed by a variable name"),
        ("${1ABC}", "must be followed by a variable name"),
        ("${TOKEN", "expected \"}\""),
        ("${TOKEN-x}", "expected \"}\""),
        ("${MISSING:-unterminated", "unterminated"),
    ]

    @Test(arguments: invalid)
    func rejects(input: String, fragment: String) {
        #expect {
            try EnvironmentExpansion.expand(input, environment: Self.environment)
        } throws: { error in
            let message = (error as? ConfigValueError)?.message ?? ""
            return message.contains(fragment) && !message.contains("s3cret")
        }
    }
}
