import Config
import Foundation
import Series
import Testing

@testable import PrometheusConfig

/// Targets are built from discovered labels as Prometheus's `PopulateLabels` builds them.
struct TargetBuilderTests {
    func job(_ yaml: String) throws -> ScrapeConfig {
        try PrometheusConfigLoader(environment: [:]).parse("scrape_configs:\n" + yaml, file: "t.yml").scrapeConfigs[0]
    }

    @Test func labelsOfAStaticTarget() throws {
        let config = try job(
            "  - {job_name: api, scrape_interval: 30s, scrape_timeout: 5s, metrics_path: /m, params: {module: [a, b]}, static_configs: [{targets: ['h:1'], labels: {env: prod}}]}\n")
        let results = config.buildTargets(config.staticConfigs[0])
        let expected = Labels([
            "__address__": "h:1", "__scheme__": "http", "__metrics_path__": "/m", "__scrape_interval__": "30s",
            "__scrape_timeout__": "5s", "__param_module": "a", "job": "api", "env": "prod",
        ])
        #expect(results == [.active(labels: expected.setting("instance", to: "h:1"), discoveredLabels: expected)])
        if case .active(let labels, _) = results[0] {
            #expect(config.scrapeURL(targetLabels: labels) == "http://h:1/m?module=a&module=b")
        }
    }

    static let ports: [(String, String, String)] = [
        ("host", "http", "host:80"), ("host", "https", "host:443"), ("host:9", "https", "host:9"),
        ("[::1]", "http", "[::1]:80"), ("[::1]:9", "http", "[::1]:9"), ("::1", "http", "::1"),
        ("10.0.0.1", "http", "10.0.0.1:80"),
    ]

    @Test(arguments: ports)
    func defaultPort(_ address: String, _ scheme: String, _ expected: String) throws {
        let config = try job("  - {job_name: a, scheme: \(scheme), static_configs: [{targets: ['\(address)']}]}\n")
        guard case .active(let labels, let discovered) = config.buildTargets(config.staticConfigs[0])[0] else {
            Issue.record("\(address) not active")
            return
        }
        #expect(labels["__address__"] == expected)
        #expect(labels["instance"] == expected)
        #expect(discovered["__address__"] == address)
    }

    @Test func relabelingDropsAndRewrites() throws {
        let config = try job(
            """
              - job_name: blackbox
                metrics_path: /probe
                params: {module: [http_2xx]}
                static_configs: [{targets: ['https://example.com', 'drop.me'], labels: {__meta_zone: z1}}]
                relabel_configs:
                  - {source_labels: [__address__], regex: drop.me, action: drop}
                  - {source_labels: [__address__], target_label: __param_target}
                  - {source_labels: [__param_target], target_label: instance}
                  - {target_label: __address__, replacement: 'exporter:9115'}
                  - {source_labels: [__meta_zone], target_label: zone}

            """)
        let results = config.buildTargets(config.staticConfigs[0])
        guard case .active(let labels, let discovered) = results[0] else {
            Issue.record("not active: \(results)")
            return
        }
        #expect(labels == Labels([
            "__address__": "exporter:9115", "__scheme__": "http", "__metrics_path__": "/probe",
            "__scrape_interval__": "1m", "__scrape_timeout__": "10s", "__param_module": "http_2xx",
            "__param_target": "https://example.com", "job": "blackbox", "instance": "https://example.com", "zone": "z1",
        ]))
        #expect(discovered["__meta_zone"] == "z1")
        #expect(config.scrapeURL(targetLabels: labels)
            == "http://exporter:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.com")
        guard case .dropped(let droppedLabels) = results[1] else {
            Issue.record("not dropped: \(results[1])")
            return
        }
        #expect(droppedLabels["__address__"] == "drop.me" && droppedLabels["job"] == "blackbox")
    }

    static let failures: [(String, String)] = [
        ("{target_label: __address__, replacement: ''}", "no address"),
        ("{target_label: __scrape_interval__, replacement: '0s'}", "scrape interval cannot be 0"),
        ("{target_label: __scrape_timeout__, replacement: 'x'}", #"error parsing scrape timeout: not a valid duration string: "x""#),
        ("{target_label: __scheme__, replacement: 'ftp'}", #"invalid scheme: "http""#),
    ]

    @Test(arguments: failures)
    func failedTarget(_ rule: String, _ message: String) throws {
        let config = try job("  - {job_name: a, static_configs: [{targets: ['h']}], relabel_configs: [\(rule)]}\n")
        #expect(config.buildTargets(config.staticConfigs[0]) == [.failed(message)])
    }

    @Test func urlEscaping() {
        #expect(URLText.build(scheme: "http", host: "h:1", path: "/a b?c", query: ["q": ["x y&z"], "a": ["1"]])
            == "http://h:1/a%20b%3Fc?a=1&q=x+y%26z")
        #expect(URLText.build(scheme: "https", host: "h", path: "metrics", query: [:]) == "https://h/metrics")
    }

    @Test func alertmanagerTargets() throws {
        let config = try PrometheusConfigLoader(environment: [:]).parse(
            "alerting:\n  alertmanagers:\n    - {path_prefix: /am/, static_configs: [{targets: ['am:9093']}]}\n",
            file: "a.yml")
        let alertmanager = config.alerting.alertmanagers[0]
        guard case .active(let labels, _) = alertmanager.buildTargets(alertmanager.staticConfigs[0])[0] else {
            Issue.record("not active")
            return
        }
        #expect(alertmanager.alertsURL(labels: labels) == "http://am:9093/am/api/v2/alerts")
    }
}

/// file_sd target files in JSON and YAML.
struct TargetGroupFileTests {
    @Test func jsonAndYAMLGroups() throws {
        let json = #"[{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}, {"targets": ["c:3"]}]"#
        let groups = try TargetGroupFile.parse(Data(json.utf8), path: "/sd/x.json")
        #expect(groups == [
            TargetGroup(targets: ["a:1", "b:2"], labels: Labels(["env": "prod", "__meta_filepath": "/sd/x.json"]), source: "/sd/x.json:0"),
            TargetGroup(targets: ["c:3"], labels: Labels(["__meta_filepath": "/sd/x.json"]), source: "/sd/x.json:1"),
        ])
        let yaml = "- targets: ['a:1']\n  labels: {env: dev}\n"
        #expect(try TargetGroupFile.parse(Data(yaml.utf8), path: "/sd/y.yaml") == [
            TargetGroup(targets: ["a:1"], labels: Labels(["env": "dev", "__meta_filepath": "/sd/y.yaml"]), source: "/sd/y.yaml:0")
        ])
        #expect(try TargetGroupFile.parse(Data("".utf8), path: "/sd/empty.yml") == [])
        #expect(try TargetGroupFile.parse(Data("[]".utf8), path: "/sd/empty.json") == [])
    }

    static let broken: [(String, String, String)] = [
        ("x.json", "[{\"targets\": [1]}]", "x.json: target group 0: targets must be strings"),
        ("x.json", "{\"targets\": []}", #"x.json: expected a JSON list of target groups ({"targets": [...], "labels": {...}})"#),
        ("x.json", "[{\"target\": []}]", #"x.json: target group 0: unknown field "target""#),
        ("x.json", "[null]", "x.json: nil target group item found (group 0)"),
        ("x.json", "[{", "x.json: invalid JSON:"),
        ("x.yml", "- targets: [a]\n  lables: {}\n", #"x.yml:2:3: unknown field "lables" in [0]; did you mean "labels"?"#),
        ("x.yml", "- ~\n", "x.yml:1:3: nil target group item found"),
        ("x.yml", "- {targets: [a], labels: {'a b': c}}\n", #"x.yml:1:27: "a b" is not a valid label name"#),
    ]

    @Test(arguments: broken)
    func brokenFiles(_ name: String, _ content: String, _ message: String) {
        do {
            _ = try TargetGroupFile.parse(Data(content.utf8), path: name)
            Issue.record("\(content) parsed")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error)")
        }
    }
}
