import BenchmarkSupport
import Foundation

/// Prometheus's `BenchmarkRangeQuery` workload (`promql/bench_test.go`): series `a_X`, `b_X` and
/// classic histograms `h_X` (ten `le` buckets and `+Inf`) for X = one (1 series), ten (10) and
/// hundred (100), plus `sparse` (one series per 2% of the time, label `l`), every 10 s for a day
/// plus 10,000 steps (18,640 samples per series, 26.9 million in all), valued as there:
/// `s + i/len(metrics)` at step s for metric i.
enum Workload {
    static let interval: Int64 = 10
    static let intervals = 8640 + 10_000

    /// The label sets in bench_test.go's order.
    static var metrics: [[(String, String)]] {
        var metrics: [[(String, String)]] = [[("__name__", "a_one")], [("__name__", "b_one")]]
        for j in 0..<10 { metrics.append([("__name__", "h_one"), ("le", String(j))]) }
        metrics.append([("__name__", "h_one"), ("le", "+Inf")])
        for (name, count) in [("ten", 10), ("hundred", 100)] {
            for i in 0..<count {
                metrics.append([("__name__", "a_\(name)"), ("l", String(i))])
                metrics.append([("__name__", "b_\(name)"), ("l", String(i))])
                for j in 0..<10 { metrics.append([("__name__", "h_\(name)"), ("l", String(i)), ("le", String(j))]) }
                metrics.append([("__name__", "h_\(name)"), ("l", String(i)), ("le", "+Inf")])
            }
        }
        return metrics
    }

    /// Writes the workload as OpenMetrics to `path`: each metric family's series one after the
    /// other, each series' samples in time order, timestamps in seconds.
    static func write(to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkError("cannot write \(path)")
        }
        defer { try? handle.close() }
        let metrics = self.metrics
        let count = Double(metrics.count)
        var buffer = ""
        buffer.reserveCapacity(1 << 22)
        func flush(force: Bool = false) {
            if force || buffer.utf8.count > 1 << 22 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        var family = ""
        for (index, labels) in metrics.enumerated() {
            let name = labels[0].1
            if name != family {
                buffer += "# TYPE \(name) unknown\n"
                family = name
            }
            let series = name + labelText(labels.dropFirst())
            for s in 0..<intervals {
                buffer += "\(series) \(Double(s) + Double(index) / count) \(Int64(s) * interval)\n"
                flush()
            }
        }
        buffer += "# TYPE sparse unknown\n"
        let perSparse = intervals / 50
        for s in 0..<intervals {
            buffer += "sparse{l=\"\(s / perSparse)\"} \(Double(s) / count) \(Int64(s) * interval)\n"
            flush()
        }
        buffer += "# EOF\n"
        flush(force: true)
    }

    private static func labelText(_ labels: ArraySlice<(String, String)>) -> String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }

    /// One query of the benchmark: an expression over `steps` steps of 10 s ending at the last sample.
    struct Case {
        var expression: String
        var steps: Int
        var label: String { "\(expression) [\(steps) steps]" }
    }

    /// bench_test.go's range-query cases that both Prometheus 2.42 and 3.x evaluate (`holt_winters`
    /// is left out: 3.x renamed it), for X = one and hundred, at 1, 1,000 and 10,000 steps;
    /// `count({__name__!=""})` at 1 step as there.
    static var cases: [Case] {
        let templates = [
            "a_X", "rate(a_X[1m])", "rate(sparse[1m])", "changes(a_X[1d])", "rate(a_X[1d])",
            "absent_over_time(a_X[1d])",
            "-a_X", "a_X - b_X", "a_X and b_X{l=~'.*[0-4]$'}", "a_X or b_X{l=~'.*[0-4]$'}",
            "a_X unless b_X{l=~'.*[0-4]$'}", "abs(a_X)", "label_replace(a_X, 'l2', '$1', 'l', '(.*)')",
            "label_join(a_X, 'l2', '-', 'l', 'l')", "sum(a_X)", "sum without (l)(h_X)", "sum by (le)(h_X)",
            "topk(5, a_X)", "rate(a_X[1m]) + rate(b_X[1m])", "sum without (l)(rate(a_X[1m]))",
            "sum(rate(a_X[5m]))", "histogram_quantile(0.9, rate(h_X[5m]))", "a_X + on(l) group_right a_one",
            "timestamp(a_X)",
        ]
        var cases: [Case] = []
        for template in templates {
            let sizes = template.contains("X") ? ["one", "hundred"] : [""]
            for size in sizes {
                let expression = template.replacingOccurrences(of: "X", with: size)
                for steps in [1, 1000, 10_000] {
                    cases.append(Case(expression: expression, steps: steps))
                }
            }
        }
        cases.append(Case(expression: #"count_values('value', h_hundred)"#, steps: 100))
        cases.append(Case(expression: #"count({__name__!=""})"#, steps: 1))
        cases.append(Case(expression: #"count({__name__!="",l=""})"#, steps: 1))
        return cases
    }
}
