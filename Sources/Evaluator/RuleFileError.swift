/// Why a rule file failed to load: one or more problems, each worded as `promtool check rules`
/// prints it (`rules.yml: 5:15: group "g", rule 1, "x": could not parse expression: ...`).
public struct RuleFileError: Error, CustomStringConvertible, Sendable {
    /// The file as given to the loader.
    public let file: String
    /// The problems, each already prefixed with the file name.
    public let messages: [String]

    /// Creates an error from promtool-worded messages.
    public init(file: String, messages: [String]) {
        self.file = file
        self.messages = messages
    }

    /// The messages, one per line.
    public var description: String { messages.joined(separator: "\n") }
}
