import Testing

@testable import Config

@Suite struct ConfigErrorTests {
    static let descriptions: [(ConfigError, String)] = [
        (
            ConfigError(file: "probe.yml", line: 12, column: 5, message: #"unknown field "provder""#),
            #"probe.yml:12:5: unknown field "provder""#
        ),
        (ConfigError(file: "probe.yml", line: 3, column: 0, message: "bad"), "probe.yml:3: bad"),
        (
            ConfigError(file: "probe.yml", line: 0, column: 0, message: "cannot read file"),
            "probe.yml: cannot read file"
        ),
    ]

    @Test(arguments: descriptions)
    func formatsLikePromtool(error: ConfigError, expected: String) {
        #expect(error.description == expected)
    }
}
