import Testing

@testable import Config

@Suite struct SpellingTests {
    static let distances: [(String, String, Int)] = [
        ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("provider", "provider", 0),
        ("provder", "provider", 1), ("porvider", "provider", 1), ("kitten", "sitting", 3),
        ("timeuot", "timeout", 1), ("ab", "ba", 1),
    ]

    @Test(arguments: distances)
    func editDistance(a: String, b: String, expected: Int) {
        #expect(Spelling.editDistance(a, b) == expected)
    }

    static let suggestions: [(String, [String], String?)] = [
        ("provder", ["provider", "model", "timeout"], "provider"),
        ("Timeout", ["provider", "model", "timeout"], "timeout"),
        ("modle", ["provider", "model", "timeout"], "model"),
        ("schedule", ["provider", "model", "timeout"], nil),
        ("x", ["y", "z"], nil),
        ("labels", ["labels"], nil),
    ]

    @Test(arguments: suggestions)
    func suggestsOnlyPlausibleTypos(word: String, candidates: [String], expected: String?) {
        #expect(Spelling.suggestion(for: word, among: candidates) == expected)
    }
}
