import Foundation

/// Removes credentials from any text that may leave the process: log lines, error messages,
/// `/probe?debug=true` output.
///
/// Providers sometimes echo a key back in an error (`Incorrect API key provided: sk-…`), so
/// redaction is applied to provider text as well as to our own.
public struct SecretRedactor: Sendable {
    private var secrets: [String]

    /// A redactor for the given secrets; empty strings and very short values are ignored so that
    /// redaction cannot shred ordinary text.
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// `text` with every occurrence of a secret, and of its first or last 8 characters (what
    /// providers print when they mask a key), replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
            if secret.count >= 16 {
                result = result.replacingOccurrences(of: String(secret.prefix(8)), with: "<redacted>")
                result = result.replacingOccurrences(of: String(secret.suffix(8)), with: "<redacted>")
            }
        }
        return result
    }
}
