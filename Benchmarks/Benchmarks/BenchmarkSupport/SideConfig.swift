import Foundation

/// Writes `directory/<side>.yml`: a prometheus.yml for one side of an alerting benchmark, read by
/// Prometheus and `llmwatch evaluate` alike. Scrape and evaluation every second, `rules`
/// loaded, job `job` scraping `/<side>/metrics` of the benchmark's server on `port`, alerts sent
/// to `/<side>` of the same server, so one server tells the sides apart by path.
public func writeSideConfig(side: String, job: String, rules: URL, port: Int, in directory: URL) throws -> URL {
    let file = directory.appendingPathComponent("\(side).yml")
    try """
    global:
      scrape_interval: 1s
      scrape_timeout: 1s
      evaluation_interval: 1s
    rule_files: ['\(rules.path)']
    scrape_configs:
      - job_name: \(job)
        metrics_path: /\(side)/metrics
        static_configs: [{targets: ['127.0.0.1:\(port)']}]
    alerting:
      alertmanagers:
        - path_prefix: /\(side)
          static_configs: [{targets: ['127.0.0.1:\(port)']}]

    """.write(to: file, atomically: true, encoding: .utf8)
    return file
}
