/// The queries sent to both APIs, built from templates over the `DifferentialData` families:
/// selectors, rate-like functions, `*_over_time`, aggregations with `by`/`without`, `topk`,
/// `quantile`, binary operators with matching, `histogram_quantile`, label functions, `offset`
/// and `@`, subqueries, `count_values`, `absent`, `sort`, `predict_linear`, time and math functions.
///
/// Every time, range, offset and subquery step is a whole number of seconds, and query times are
/// `DifferentialData.start + n·60 s` (see there why no sample then sits on a boundary).
enum DifferentialQueries {
    /// One request for both servers.
    struct Query: Sendable, CustomStringConvertible {
        /// The API path, `/api/v1/query` or `/api/v1/query_range`.
        var path: String
        /// The parameters.
        var parameters: [(String, String)]
        /// The expression (also in `parameters`), for allow-list lookups and messages.
        var expression: String
        /// Whether the order of an instant vector's samples matters (`sort`, `sort_desc`).
        var ordered: Bool

        var description: String {
            "\(path)?" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
    }

    static let start = DifferentialData.start
    /// Instant query times: early (ranges reaching before the data), middle, and after the end
    /// (samples found only through the lookback).
    static let instants: [Int64] = [start + 600, start + 7200, start + DifferentialData.length + 60]
    /// Range queries: a fine one over most of the history, a coarse one past both ends.
    static let ranges: [(start: Int64, end: Int64, step: Int64)] = [
        (start + 1800, start + DifferentialData.length, 60),
        (start - 300, start + DifferentialData.length + 600, 300),
    ]

    /// Expressions with an instant-vector or scalar result, asked as instant and range queries.
    static var expressions: [String] {
        var out: [String] = []
        let selectors = [
            "http_requests_total", #"http_requests_total{job="api"}"#, #"http_requests_total{code=~"5.."}"#,
            #"http_requests_total{method!="GET",job=~"api|web"}"#, #"http_requests_total{code!~"2.."}"#,
            "node_temperature_celsius", "queue_depth", "up", #"{__name__=~"queue_depth|up"}"#,
            #"request_duration_seconds_bucket{le="0.5"}"#, "batch_last_success_timestamp_seconds", "memory_bytes",
            "error_ratio", "build_info", "nonexistent_metric",
        ]
        out += selectors
        let counters = ["http_requests_total", #"http_requests_total{code="500"}"#, "request_duration_seconds_count"]
        for counter in counters {
            for range in ["1m", "5m", "1h"] { out.append("rate(\(counter)[\(range)])") }
            for range in ["5m", "30m"] { out.append("increase(\(counter)[\(range)])") }
            out.append("irate(\(counter)[5m])")
            out.append("resets(\(counter)[3h])")
        }
        let gauges = ["queue_depth", "node_temperature_celsius"]
        let overTime = [
            "delta(X[5m])", "idelta(X[5m])", "deriv(X[10m])", "changes(X[30m])", "predict_linear(X[30m], 3600)",
            "avg_over_time(X[10m])", "min_over_time(X[10m])", "max_over_time(X[1h])", "sum_over_time(X[5m])",
            "count_over_time(X[5m])", "last_over_time(X[10m])", "stddev_over_time(X[30m])",
            "stdvar_over_time(X[30m])", "quantile_over_time(0.9, X[30m])", "quantile_over_time(0.25, X[1h])",
            "present_over_time(X[5m])", "absent_over_time(X[5m])",
        ]
        for gauge in gauges {
            for template in overTime { out.append(template.replacingOccurrences(of: "X", with: gauge)) }
        }
        out += [
            "deriv(memory_bytes[15m])", "avg_over_time(error_ratio[10m])", "max_over_time(memory_bytes[30m])",
            "absent_over_time(batch_last_success_timestamp_seconds[10m])",
            "last_over_time(batch_last_success_timestamp_seconds[1h])",
            "count_over_time(batch_last_success_timestamp_seconds[30m])",
        ]
        for inner in ["rate(http_requests_total[5m])", "queue_depth"] {
            for op in ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"] {
                for grouping in ["", " by (job)", " without (instance)"] {
                    out.append("\(op)\(grouping) (\(inner))")
                }
            }
        }
        out += [
            "sum by (job, code) (rate(http_requests_total[5m]))",
            "sum without (instance, method) (increase(http_requests_total[1h]))",
            "topk(3, cpu_usage_ratio)", "bottomk(2, cpu_usage_ratio)", "topk by (job) (1, cpu_usage_ratio)",
            "bottomk without (instance, cpu) (1, cpu_usage_ratio)", "topk(2, avg_over_time(cpu_usage_ratio[10m]))",
            "quantile(0.9, cpu_usage_ratio)", "avg by (cpu) (cpu_usage_ratio)",
            "quantile(0.5, queue_depth)", "quantile by (job) (0.95, rate(http_requests_total[5m]))",
            "quantile(0, node_temperature_celsius)", #"count_values("value", queue_depth)"#,
            #"count_values by (job) ("depth", queue_depth)"#, #"count_values("v", build_info)"#,
            "count(up)", "count(count by (job) (up))", "sum(up) / count(up)",
            "group by (job) (http_requests_total)",
        ]
        out += [
            #"rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])"#,
            #"sum by (job) (rate(http_requests_total{code="500"}[5m])) / sum by (job) (rate(http_requests_total[5m]))"#,
            "rate(http_requests_total[5m]) / on(job, instance, method) group_left sum by (job, instance, method) (rate(http_requests_total[5m]))",
            "queue_depth * on(instance) group_left(zone) node_temperature_celsius",
            "node_temperature_celsius / on(instance) group_right(zone) queue_depth",
            "queue_depth > 3", "queue_depth > bool 3", "queue_depth == bool 5", "up == 0", "up != 1",
            "queue_depth <= 3", "3 < queue_depth", "queue_depth >= on(job, instance) queue_depth",
            "queue_depth and on(instance, job) up == 1", "queue_depth or node_temperature_celsius",
            #"http_requests_total unless http_requests_total{code="500"}"#,
            #"queue_depth unless on(job) up{job="web"}"#,
            "2 * queue_depth + 1", "queue_depth % 7", "queue_depth ^ 2", "-queue_depth", "queue_depth / 0",
            "(queue_depth - queue_depth) / (queue_depth - queue_depth)", "queue_depth atan2 queue_depth",
            "scalar(sum(up)) * 2", "time() - batch_last_success_timestamp_seconds", "vector(1) + vector(2)",
            "1 + 2 * 3", "2 ^ 3 ^ 2", "1 / 0", "-1 / 0", "0 / 0", "3.14", "sum(rate(http_requests_total[5m])) > bool 1",
            "memory_bytes * 1e12", "error_ratio / 1000", "memory_bytes / 3",
        ]
        out += [
            "histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
            "histogram_quantile(0.9, sum by (job, le) (rate(request_duration_seconds_bucket[5m])))",
            "histogram_quantile(0.99, rate(request_duration_seconds_bucket[10m]))",
            "histogram_quantile(0.25, request_duration_seconds_bucket)",
            "histogram_quantile(1, sum by (le) (increase(request_duration_seconds_bucket[1h])))",
            "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])",
        ]
        out += [
            #"label_replace(up, "host", "$1", "instance", "(.*):.*")"#,
            #"label_replace(queue_depth, "job", "x-$1", "job", "(.+)")"#,
            #"label_replace(up, "instance", "", "instance", ".*")"#,
            #"label_join(up, "endpoint", "/", "job", "instance")"#,
            #"label_replace(rate(http_requests_total[5m]), "status", "${1}xx", "code", "(.).*")"#,
        ]
        out += [
            "http_requests_total offset 10m", "rate(http_requests_total[5m] offset 30m)",
            "queue_depth offset -10m", "queue_depth @ \(start + 3600)", "rate(http_requests_total[5m] @ end())",
            "queue_depth @ start()", "sum(rate(http_requests_total[5m] offset 1h))",
            "max_over_time(rate(http_requests_total[5m])[30m:1m])", "avg_over_time(queue_depth[1h:5m])",
            "min_over_time(sum by (job) (queue_depth)[15m:30s])", "max_over_time(deriv(queue_depth[10m])[30m:])",
            "sum_over_time(up[20m:2m] offset 10m)",
            #"quantile_over_time(0.5, rate(http_requests_total{code="200"}[5m])[1h:5m])"#,
            "avg_over_time(queue_depth[10m:1m] @ \(start + 5400))",
        ]
        out += [
            "absent(nonexistent_metric)", #"absent(up{job="nope"})"#, "absent(up)",
            "absent_over_time(nonexistent_metric[5m])", "timestamp(queue_depth)",
            "timestamp(http_requests_total offset 5m)", "hour(batch_last_success_timestamp_seconds)",
            "minute(timestamp(queue_depth))", "day_of_week()", "day_of_month()", "days_in_month()", "month()",
            "year()", "hour(vector(time()))", "abs(-queue_depth)", "ceil(node_temperature_celsius)",
            "floor(node_temperature_celsius)", "round(node_temperature_celsius)",
            "round(node_temperature_celsius, 0.5)",
            "sqrt(queue_depth)", "exp(error_ratio)", "ln(memory_bytes)", "log2(memory_bytes)", "log10(memory_bytes)",
            "clamp(queue_depth, 2, 8)", "clamp_min(queue_depth, 5)", "clamp_max(queue_depth, 5)",
            "sgn(queue_depth - 5)", "sin(queue_depth)", "cos(node_temperature_celsius)", "tanh(error_ratio * 1e6)",
            "deg(pi())", "rad(queue_depth)", "asinh(queue_depth)", "atan(queue_depth)",
            #"scalar(up{instance="10.0.0.1:8080",job="api"})"#, "vector(time())", "time()",
            "changes(up[1h])", #"increase(request_duration_seconds_bucket{le="+Inf"}[1h])"#,
        ]
        return out
    }

    /// Expressions whose instant result is a range vector or string (not allowed in a range
    /// query), or whose order matters.
    static let instantOnly: [(String, Bool)] = [
        ("http_requests_total[5m]", false), ("queue_depth[2m] offset 1h", false),
        ("rate(http_requests_total[5m])[10m:1m]", false), ("node_temperature_celsius[30m:2m]", false),
        (#""hello""#, false), ("sort(cpu_usage_ratio)", true), ("sort_desc(cpu_usage_ratio)", true),
        ("sort(max by (job) (cpu_usage_ratio))", true), ("sort_desc(avg_over_time(cpu_usage_ratio[15m]))", true),
    ]

    /// Every query: each expression at each instant, each range-capable one over each range.
    static var all: [Query] {
        var queries: [Query] = []
        for expression in expressions {
            for time in instants {
                queries.append(
                    Query(
                        path: "/api/v1/query", parameters: [("query", expression), ("time", String(time))],
                        expression: expression, ordered: false))
            }
            for range in ranges {
                queries.append(
                    Query(
                        path: "/api/v1/query_range",
                        parameters: [
                            ("query", expression), ("start", String(range.start)), ("end", String(range.end)),
                            ("step", String(range.step)),
                        ], expression: expression, ordered: false))
            }
        }
        for (expression, ordered) in instantOnly {
            for time in instants {
                queries.append(
                    Query(
                        path: "/api/v1/query", parameters: [("query", expression), ("time", String(time))],
                        expression: expression, ordered: ordered))
            }
        }
        return queries
    }
}
