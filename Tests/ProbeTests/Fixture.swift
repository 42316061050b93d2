import Foundation

/// The captured streams and error bodies under `Fixtures/`; `Fixtures/README.md` says where
/// each one comes from.
enum Fixture {
    /// The `Fixtures` folder beside this file.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// The file's bytes.
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The file as UTF-8 text.
    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// A server-sent event stream cut into its events, each ending with its blank line, so a
    /// reply can send them one by one, pause between them, or stop after some.
    static func events(_ name: String) throws -> [[UInt8]] {
        try text(name).components(separatedBy: "\n\n")
            .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            .map { Array(($0 + "\n\n").utf8) }
    }

    /// A newline-delimited JSON stream cut into its lines, each ending with its newline.
    static func lines(_ name: String) throws -> [[UInt8]] {
        try text(name).split(separator: "\n").map { Array(($0 + "\n").utf8) }
    }
}

extension Array where Element == ReplyStep {
    /// One `.send` per chunk, in order.
    static func sending(_ chunks: [[UInt8]]) -> [ReplyStep] {
        chunks.map { .send($0) }
    }
}
