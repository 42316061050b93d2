import Foundation

/// A YAML mapping being read into a config model.
///
/// The mapping remembers every key a model asked for, present or not, so that after reading
/// its fields a model can call `rejectUnknownKeys()` and a typo such as `provder` is reported
/// at its own position with a suggestion, instead of being silently ignored.
public struct ConfigMapping: Sendable {
    /// One `key: value` pair, in document order.
    public struct Entry: Sendable {
        /// The key's text.
        public let key: String
        /// The key itself, for errors about the key rather than its value.
        public let keyNode: ConfigNode
        /// The value under the key.
        public let value: ConfigNode
    }

    /// The mapping node, for errors about the mapping as a whole.
    public let node: ConfigNode
    /// The pairs in document order; merge keys (`<<: *anchor`) are already applied.
    public let entries: [Entry]
    private let askedFor = AskedKeys()

    init(node: ConfigNode, entries: [Entry]) {
        self.node = node
        self.entries = entries
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    /// The value under `key`, or an error at the mapping if the key is absent or null.
    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        askedFor.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else {
            throw node.error("missing required field \"\(key)\" \(Self.location(of: node))")
        }
        guard !entry.value.isNull else {
            throw entry.keyNode.error("field \"\(key)\" \(Self.location(of: node)) must have a value")
        }
        return entry.value
    }

    /// The value under `key`, or nil if the key is absent or its value is null, so that
    /// `timeout:` with nothing after it means "the default".
    public func optional(_ key: String) -> ConfigNode? {
        askedFor.insert(key)
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    /// Throws at the first key that is neither in `allowed` nor was asked for through
    /// `required(_:)` or `optional(_:)`, suggesting the closest known key.
    ///
    /// - Parameter context: names the mapping in the message (`in model`); by default its
    ///   path in the document (`in models[0]`).
    public func rejectUnknownKeys(allowed: [String] = [], in context: String? = nil) throws(ConfigError) {
        let known = Set(allowed).union(askedFor.snapshot())
        for entry in entries where !known.contains(entry.key) {
            let place = context.map { "in \($0)" } ?? Self.location(of: node)
            let hint = Spelling.didYouMean(entry.key, among: known.sorted())
            throw entry.keyNode.error("unknown field \"\(entry.key)\" \(place)\(hint)")
        }
    }

    static func location(of node: ConfigNode) -> String {
        node.path.isEmpty ? "at top level" : "in \(node.path)"
    }
}

/// The keys a model asked a mapping for. Shared by copies of one `ConfigMapping`.
private final class AskedKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: Set<String> = []

    func insert(_ key: String) {
        lock.withLock { _ = keys.insert(key) }
    }

    func snapshot() -> Set<String> {
        lock.withLock { keys }
    }
}
