import AsyncHTTPClient
import Foundation
import NIOCore

/// One sample of an instant vector as `/api/v1/query` answers it.
public struct InstantSample: Sendable {
    public let labels: [String: String]
    public let value: Double
}

/// Runs an instant query against a Prometheus-compatible `/api/v1/query` (Prometheus or
/// llmwatch) and returns the vector, or throws with the server's answer.
public func instantQuery(_ client: HTTPClient, baseURL: String, _ expression: String) async throws -> [InstantSample] {
    let url = baseURL + "/api/v1/query?" + formEncode([("query", expression)])
    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 28)
    guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
        let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
    else { throw BenchmarkError("\(baseURL): \(String(buffer: body).prefix(300))") }
    return result.compactMap { entry in
        guard let value = entry["value"] as? [Any], let text = value.last as? String, let number = Double(text) else {
            return nil
        }
        return InstantSample(labels: entry["metric"] as? [String: String] ?? [:], value: number)
    }
}

/// The text of a server's own `/metrics`.
public func fetchText(_ client: HTTPClient, _ url: String) async throws -> String {
    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 28)
    guard response.status == .ok else { throw BenchmarkError("\(url): \(response.status)") }
    return String(buffer: body)
}

/// The samples of family `name` in an exposition page: label `label`'s value -> sample value.
/// Enough for the flat gauges the benchmarks read (`*_rule_group_last_duration_seconds`).
public func samples(of name: String, label: String, in page: String) -> [String: Double] {
    var out: [String: Double] = [:]
    let prefix = name + "{"
    for line in page.split(separator: "\n") where line.hasPrefix(prefix) {
        guard let close = line.lastIndex(of: "}"),
            let value = Double(
                line[line.index(after: close)...].trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? ""
            )
        else { continue }
        let labels = line[line.index(line.startIndex, offsetBy: prefix.count)..<close]
        guard let start = labels.range(of: label + "=\"") else { continue }
        let rest = labels[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { continue }
        out[String(rest[..<end])] = value
    }
    return out
}

/// CPU seconds (user + system) a process has used so far, from /proc/PID/stat.
public func cpuSeconds(pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return .nan }
    // Fields after the command: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// A line of /proc/PID/status in bytes (`VmRSS`, `VmHWM`).
public func statusBytes(pid: Int32, _ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
}
