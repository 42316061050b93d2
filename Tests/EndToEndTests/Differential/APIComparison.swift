import Foundation

/// Compares two query API answers as the promqltest harness compares results: the same status
/// and error type, the same result type, the same series (by labels), the same timestamps, and
/// values equal within Prometheus's tolerance (relative 1e-6; NaN equals NaN). Where two values
/// are exactly equal their text must be too, so the rendering is checked along with the math.
enum APIComparison {
    /// Prometheus's `almost.Equal` with promqltest's epsilon.
    static func almostEqual(_ a: Double, _ b: Double, epsilon: Double = 1e-6) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let minNormal = Double(bitPattern: 0x0010_0000_0000_0000)
        let absSum = abs(a) + abs(b)
        let diff = abs(a - b)
        if a == 0 || b == 0 || absSum < minNormal { return diff < epsilon * minNormal }
        return diff / min(absSum, .greatestFiniteMagnitude) < epsilon
    }

    /// A parsed answer.
    struct Answer {
        var status: String
        var errorType: String?
        var resultType: String?
        var result: Any?
        var raw: String
    }

    static func parse(_ body: String) -> Answer? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let status = object["status"] as? String
        else { return nil }
        let data = object["data"] as? [String: Any]
        return Answer(
            status: status, errorType: object["errorType"] as? String, resultType: data?["resultType"] as? String,
            result: data?["result"] ?? object["data"], raw: body)
    }

    /// Nil when the answers agree, else what differs.
    static func difference(_ ours: String, _ theirs: String, ordered: Bool) -> String? {
        guard let a = parse(ours) else { return "llmwatch answered no API JSON: \(ours.prefix(300))" }
        guard let b = parse(theirs) else { return "prometheus answered no API JSON: \(theirs.prefix(300))" }
        guard a.status == b.status else {
            return "status \(a.status) vs \(b.status): llmwatch \(ours.prefix(300)) | prometheus \(theirs.prefix(300))"
        }
        if a.status == "error" {
            return a.errorType == b.errorType ? nil : "error type \(a.errorType ?? "") vs \(b.errorType ?? "")"
        }
        guard a.resultType == b.resultType else { return "result type \(a.resultType ?? "") vs \(b.resultType ?? "")" }
        switch a.resultType {
        case "scalar", "string":
            return point(a.result, b.result, context: a.resultType ?? "")
        case "vector":
            return series(a.result, b.result, key: "value", ordered: ordered)
        case "matrix":
            return series(a.result, b.result, key: "values", ordered: false)
        default:
            return "unknown result type \(a.resultType ?? "nil")"
        }
    }

    /// Compares lists of `{"metric":..., key: ...}` by their labels.
    static func series(_ a: Any?, _ b: Any?, key: String, ordered: Bool) -> String? {
        let left = a as? [[String: Any]] ?? []
        let right = b as? [[String: Any]] ?? []
        func name(_ item: [String: Any]) -> String {
            let labels = item["metric"] as? [String: String] ?? [:]
            return "{" + labels.keys.sorted().map { "\($0)=\"\(labels[$0] ?? "")\"" }.joined(separator: ",") + "}"
        }
        let leftNames = left.map(name)
        let rightNames = right.map(name)
        if ordered, leftNames != rightNames { return "order: \(leftNames) vs \(rightNames)" }
        guard Set(leftNames) == Set(rightNames), leftNames.count == rightNames.count else {
            let onlyOurs = Set(leftNames).subtracting(rightNames).sorted()
            let onlyTheirs = Set(rightNames).subtracting(leftNames).sorted()
            return "series differ: only llmwatch \(onlyOurs.prefix(5)), only prometheus \(onlyTheirs.prefix(5))"
                + " (\(leftNames.count) vs \(rightNames.count))"
        }
        let byName = Dictionary(right.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        for item in left {
            let label = name(item)
            guard let other = byName[label] else { continue }
            if key == "value" {
                if let problem = point(item[key], other[key], context: label) { return problem }
            } else {
                let points = item[key] as? [Any] ?? []
                let otherPoints = other[key] as? [Any] ?? []
                guard points.count == otherPoints.count else {
                    let times = { (list: [Any]) in list.compactMap { ($0 as? [Any])?.first as? Double } }
                    let missing = Set(times(otherPoints)).subtracting(times(points)).sorted().prefix(3)
                    let extra = Set(times(points)).subtracting(times(otherPoints)).sorted().prefix(3)
                    return
                        "\(label): \(points.count) vs \(otherPoints.count) points (llmwatch lacks \(Array(missing)), has extra \(Array(extra)))"
                }
                for (p, q) in zip(points, otherPoints) {
                    if let problem = point(p, q, context: label) { return problem }
                }
            }
        }
        return nil
    }

    /// Compares `[ts, "value"]` pairs.
    static func point(_ a: Any?, _ b: Any?, context: String) -> String? {
        guard let left = a as? [Any], let right = b as? [Any], left.count == 2, right.count == 2 else {
            return "\(context): malformed point \(String(describing: a)) vs \(String(describing: b))"
        }
        let leftTime = (left[0] as? NSNumber)?.doubleValue ?? .nan
        let rightTime = (right[0] as? NSNumber)?.doubleValue ?? .nan
        guard abs(leftTime - rightTime) < 0.0005 else { return "\(context): time \(leftTime) vs \(rightTime)" }
        let leftText = left[1] as? String ?? ""
        let rightText = right[1] as? String ?? ""
        if leftText == rightText { return nil }
        guard let x = Double(leftText), let y = Double(rightText) else {
            return "\(context) @\(leftTime): \"\(leftText)\" vs \"\(rightText)\""
        }
        if x == y || (x.isNaN && y.isNaN) {
            return "\(context) @\(leftTime): same value written \"\(leftText)\" vs \"\(rightText)\""
        }
        return almostEqual(x, y) ? nil : "\(context) @\(leftTime): \(leftText) vs \(rightText)"
    }
}
