import Config
import Foundation
import Series
import Testing

@testable import PrometheusConfig

/// Every field of a prometheus.yml loads into the model with Prometheus's defaults, and every
/// error names the file, line and column to edit.
struct LoaderTests {
    let loader = PrometheusConfigLoader(environment: ["CLUSTER": "eu-1"])

    func load(_ yaml: String) throws -> PrometheusConfiguration {
        try loader.parse(yaml, file: "prometheus.yml", directory: "/etc/prometheus")
    }

    @Test func emptyFileHasPrometheusDefaults() throws {
        let config = try load("")
        #expect(config.global.scrapeInterval.description == "1m")
        #expect(config.global.scrapeTimeout.description == "10s")
        #expect(config.global.evaluationInterval.description == "1m")
        #expect(config.global.ruleQueryOffset.milliseconds == 0)
        #expect(config.global.externalLabels.isEmpty)
        #expect(config.scrapeConfigs.isEmpty && config.ruleFiles.isEmpty && config.remoteWrite.isEmpty)
        #expect(config.alerting.alertmanagers.isEmpty)
    }

    @Test func emptyGlobalKeepsDefaults() throws {
        let config = try load("global:\n")
        #expect(config.global == GlobalConfig())
    }

    @Test func globalFields() throws {
        let config = try load(
            """
            global:
              scrape_interval: 15s
              evaluation_interval: 30s
              rule_query_offset: 1m
              external_labels: {cluster: "${CLUSTER}", environment: prod, literal: "a$b"}
              body_size_limit: 10MB
              sample_limit: 1000
              target_limit: 5
              label_limit: 30
              label_name_length_limit: 100
              label_value_length_limit: 200
              keep_dropped_targets: 10
              scrape_protocols: [PrometheusText0.0.4]
            """)
        let global = config.global
        #expect(global.scrapeInterval.description == "15s")
        #expect(global.scrapeTimeout.description == "10s")
        #expect(global.evaluationInterval.description == "30s")
        #expect(global.ruleQueryOffset.description == "1m")
        #expect(global.externalLabels == Labels(["cluster": "eu-1", "environment": "prod", "literal": "a$b"]))
        #expect(global.limits.bodySizeLimit == 10 << 20)
        #expect(global.limits.sampleLimit == 1000)
        #expect(global.limits.targetLimit == 5)
        #expect(global.limits.labelLimit == 30)
        #expect(global.limits.labelNameLengthLimit == 100)
        #expect(global.limits.labelValueLengthLimit == 200)
        #expect(global.limits.keepDroppedTargets == 10)
        #expect(global.scrapeProtocols == [.prometheusText0_0_4])
    }

    @Test func scrapeTimeoutDefaultsToTheIntervalWhenShorter() throws {
        let config = try load("global: {scrape_interval: 5s}\nscrape_configs:\n  - {job_name: a, scrape_interval: 2s}\n")
        #expect(config.global.scrapeTimeout.description == "5s")
        #expect(config.scrapeConfigs[0].scrapeTimeout.description == "2s")
    }

    @Test func scrapeConfigDefaults() throws {
        let config = try load(
            "global: {scrape_interval: 20s, scrape_timeout: 7s, sample_limit: 9}\nscrape_configs:\n  - job_name: a\n")
        let job = config.scrapeConfigs[0]
        #expect(job.jobName == "a")
        #expect(job.scrapeInterval.description == "20s")
        #expect(job.scrapeTimeout.description == "7s")
        #expect(job.metricsPath == "/metrics")
        #expect(job.scheme == .http)
        #expect(job.params.isEmpty)
        #expect(!job.honorLabels && job.honorTimestamps && !job.trackTimestampsStaleness && job.enableCompression)
        #expect(job.scrapeProtocols == nil)
        #expect(job.acceptHeader == ScrapeProtocol.defaultAcceptHeader)
        #expect(job.http == HTTPClientConfig())
        #expect(job.http.followRedirects && job.http.enableHTTP2)
        #expect(job.limits.sampleLimit == 9)
        #expect(job.staticConfigs.isEmpty && job.fileSDConfigs.isEmpty)
        #expect(job.relabelConfigs.isEmpty && job.metricRelabelConfigs.isEmpty)
    }

    @Test func scrapeConfigFields() throws {
        let config = try load(
            """
            scrape_configs:
              - job_name: api
                scrape_interval: 30s
                scrape_timeout: 20s
                metrics_path: /probe
                scheme: https
                params: {module: [http_2xx, tcp], target: [x]}
                honor_labels: true
                honor_timestamps: false
                track_timestamps_staleness: true
                enable_compression: false
                scrape_protocols: [OpenMetricsText1.0.0, PrometheusText0.0.4]
                fallback_scrape_protocol: OpenMetricsText1.0.0
                sample_limit: 100
                label_limit: 10
                label_name_length_limit: 20
                label_value_length_limit: 30
                target_limit: 3
                body_size_limit: 1KiB
                keep_dropped_targets: 2
                basic_auth: {username: u, password_file: secrets/pw}
                tls_config: {ca_file: ca.pem, cert_file: /abs/cert.pem, key_file: key.pem, server_name: api.local, insecure_skip_verify: true, min_version: TLS12, max_version: TLS13}
                follow_redirects: false
                enable_http2: false
                static_configs:
                  - targets: ['a:1', 'b:2']
                    labels: {env: prod}
                  - targets: ['c:3']
                file_sd_configs:
                  - files: [targets/*.json, ../shared/x.yml]
                    refresh_interval: 30s
                relabel_configs:
                  - {source_labels: [__address__], target_label: __param_target}
                metric_relabel_configs:
                  - {source_labels: [__name__], regex: "go_.*", action: drop}
            """)
        let job = config.scrapeConfigs[0]
        #expect(job.scrapeInterval.description == "30s" && job.scrapeTimeout.description == "20s")
        #expect(job.metricsPath == "/probe" && job.scheme == .https)
        #expect(job.params == [QueryParameter(name: "module", values: ["http_2xx", "tcp"]), QueryParameter(name: "target", values: ["x"])])
        #expect(job.honorLabels && !job.honorTimestamps && job.trackTimestampsStaleness && !job.enableCompression)
        #expect(job.scrapeProtocols == [.openMetrics1_0_0, .prometheusText0_0_4])
        #expect(job.acceptHeader == "application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.4")
        #expect(job.fallbackScrapeProtocol == .openMetrics1_0_0)
        #expect(job.limits.sampleLimit == 100 && job.limits.labelLimit == 10)
        #expect(job.limits.labelNameLengthLimit == 20 && job.limits.labelValueLengthLimit == 30)
        #expect(job.limits.targetLimit == 3 && job.limits.bodySizeLimit == 1024 && job.limits.keepDroppedTargets == 2)
        #expect(job.http.basicAuth == BasicAuth(username: "u", passwordFile: "/etc/prometheus/secrets/pw"))
        #expect(job.http.tls.caFile == "/etc/prometheus/ca.pem" && job.http.tls.certFile == "/abs/cert.pem")
        #expect(job.http.tls.keyFile == "/etc/prometheus/key.pem" && job.http.tls.serverName == "api.local")
        #expect(job.http.tls.insecureSkipVerify && job.http.tls.minVersion == .tls12 && job.http.tls.maxVersion == .tls13)
        #expect(!job.http.followRedirects && !job.http.enableHTTP2)
        #expect(job.staticConfigs == [
            TargetGroup(targets: ["a:1", "b:2"], labels: Labels(["env": "prod"]), source: "0"),
            TargetGroup(targets: ["c:3"], source: "1"),
        ])
        #expect(job.fileSDConfigs == [
            FileSDConfig(
                patterns: ["targets/*.json", "../shared/x.yml"],
                files: ["/etc/prometheus/targets/*.json", "/etc/shared/x.yml"],
                refreshInterval: PromDuration(milliseconds: 30_000)!)
        ])
        #expect(job.relabelConfigs == [RelabelConfig(sourceLabels: ["__address__"], targetLabel: "__param_target")])
        #expect(job.metricRelabelConfigs == [
            RelabelConfig(sourceLabels: ["__name__"], regex: try RelabelRegex("go_.*"), action: .drop)
        ])
    }

    @Test func authorizationForms() throws {
        let config = try load(
            """
            scrape_configs:
              - {job_name: a, authorization: {credentials: tok}}
              - {job_name: b, authorization: {type: Token, credentials_file: tok.txt}}
              - {job_name: c, bearer_token: legacy}
              - {job_name: d, bearer_token_file: /run/token}
              - {job_name: e, basic_auth: {username: u, password: p}}
              - {job_name: f, authorization: {type: "  Custom  "}}
            """)
        let auth = config.scrapeConfigs.map(\.http.authorization)
        #expect(auth[0] == Authorization(type: "Bearer", credentials: .inline(ConfigSecret("tok"))))
        #expect(auth[1] == Authorization(type: "Token", credentials: .file("/etc/prometheus/tok.txt")))
        #expect(auth[2] == Authorization(type: "Bearer", credentials: .inline(ConfigSecret("legacy"))))
        #expect(auth[3] == Authorization(type: "Bearer", credentials: .file("/run/token")))
        #expect(auth[4] == nil)
        #expect(config.scrapeConfigs[4].http.basicAuth == BasicAuth(username: "u", password: ConfigSecret("p")))
        #expect(auth[5] == Authorization(type: "Custom", credentials: nil))
    }

    @Test func secretsStayOutOfDescriptions() throws {
        let config = try load(
            """
            scrape_configs:
              - {job_name: a, basic_auth: {username: u, password: hunter2-secret}}
              - {job_name: b, bearer_token: tok-secret-123}
              - {job_name: c, tls_config: {cert: "CERT", key: key-secret-456}}
            """)
        let text = "\(config) \(String(reflecting: config))"
        for secret in ["hunter2-secret", "tok-secret-123", "key-secret-456"] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(text.contains("<secret>"))
    }

    @Test func secretsStayOutOfErrors() throws {
        do {
            _ = try load("scrape_configs:\n  - {job_name: a, bearer_token: tok-secret-123, bearer_token_file: f}\n")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("tok-secret-123"))
        }
    }

    @Test func ruleFilesResolveAgainstTheConfigDirectory() throws {
        let config = try load("rule_files:\n  - ../rules/*.yml\n  - /abs/r.yml\n  - alerts.yaml\n")
        #expect(config.ruleFiles.map(\.written) == ["../rules/*.yml", "/abs/r.yml", "alerts.yaml"])
        #expect(config.ruleFiles.map(\.resolved) == ["/etc/rules/*.yml", "/abs/r.yml", "/etc/prometheus/alerts.yaml"])
        #expect(config.ruleFiles.map(\.isGlob) == [true, false, false])
    }

    @Test func alertingFields() throws {
        let config = try load(
            """
            alerting:
              alert_relabel_configs:
                - {regex: replica, action: labeldrop}
              alertmanagers:
                - static_configs: [{targets: ['am:9093']}]
                  scheme: https
                  path_prefix: /am
                  timeout: 5s
                  api_version: v2
                  basic_auth: {username: u, password: p}
                  relabel_configs: [{source_labels: [__address__], target_label: x}]
                  alert_relabel_configs: [{regex: y, action: labeldrop}]
                - file_sd_configs: [{files: [am.json]}]
            """)
        #expect(config.alerting.alertRelabelConfigs == [RelabelConfig(regex: try RelabelRegex("replica"), action: .labelDrop)])
        let first = config.alerting.alertmanagers[0]
        #expect(first.staticConfigs == [TargetGroup(targets: ["am:9093"], source: "0")])
        #expect(first.scheme == .https && first.pathPrefix == "/am" && first.timeout.description == "5s")
        #expect(first.apiVersion == .v2 && first.http.basicAuth?.username == "u")
        #expect(first.alertsPath == "/am/api/v2/alerts")
        #expect(first.relabelConfigs.count == 1 && first.alertRelabelConfigs.count == 1)
        let second = config.alerting.alertmanagers[1]
        #expect(second.timeout.description == "10s" && second.scheme == .http && second.alertsPath == "/api/v2/alerts")
        #expect(second.fileSDConfigs[0].files == ["/etc/prometheus/am.json"])
        #expect(second.fileSDConfigs[0].refreshInterval.description == "5m")
    }

    @Test func remoteWriteFields() throws {
        let config = try load(
            """
            remote_write:
              - url: https://mimir.example/api/v1/push
                name: mimir
                remote_timeout: 10s
                headers: {X-Scope-OrgID: team}
                authorization: {credentials_file: token}
                write_relabel_configs: [{source_labels: [__name__], regex: "up", action: keep}]
                queue_config: {capacity: 500, max_shards: 4, min_shards: 2, max_samples_per_send: 100, batch_send_deadline: 1s, min_backoff: 10ms, max_backoff: 1s, retry_on_http_429: true, sample_age_limit: 1h}
                metadata_config: {send: false, send_interval: 2m, max_samples_per_send: 10}
              - url: http://second/push
            """)
        let write = config.remoteWrite[0]
        #expect(write.url == "https://mimir.example/api/v1/push" && write.name == "mimir")
        #expect(write.remoteTimeout.description == "10s" && write.headers == ["X-Scope-OrgID": "team"])
        #expect(write.http.authorization == Authorization(type: "Bearer", credentials: .file("/etc/prometheus/token")))
        #expect(!write.http.enableHTTP2)
        #expect(write.writeRelabelConfigs.count == 1)
        #expect(write.queue.capacity == 500 && write.queue.maxShards == 4 && write.queue.minShards == 2)
        #expect(write.queue.maxSamplesPerSend == 100 && write.queue.batchSendDeadline.description == "1s")
        #expect(write.queue.minBackoff.description == "10ms" && write.queue.maxBackoff.description == "1s")
        #expect(write.queue.retryOnRateLimit && write.queue.sampleAgeLimit.description == "1h")
        #expect(!write.metadata.send && write.metadata.sendInterval.description == "2m" && write.metadata.maxSamplesPerSend == 10)
        #expect(config.remoteWrite[1].remoteTimeout.description == "30s")
        #expect(config.remoteWrite[1].queue == RemoteWriteConfig.QueueConfig())
    }

    @Test func byteSizes() {
        #expect(ByteSize.parse("0") == 0)
        #expect(ByteSize.parse("512B") == 512)
        #expect(ByteSize.parse("1KB") == 1024)
        #expect(ByteSize.parse("1KiB") == 1024)
        #expect(ByteSize.parse("1.5MB") == 1_572_864)
        #expect(ByteSize.parse("1MB512KB") == 1_572_864)
        #expect(ByteSize.parse("2GiB") == 2 << 30)
        #expect(ByteSize.parse("10") == nil)
        #expect(ByteSize.parse("10 MB") == nil)
        #expect(ByteSize.parse("10mb") == nil)
        #expect(ByteSize.parse("") == nil)
    }

    @Test func pathCleaning() {
        #expect(ConfigPaths.resolve("../rules/*.yml", relativeTo: "prometheus") == "rules/*.yml")
        #expect(ConfigPaths.resolve("a/./b//c", relativeTo: ".") == "a/b/c")
        #expect(ConfigPaths.resolve("../../x", relativeTo: "/a") == "/x")
        #expect(ConfigPaths.resolve("", relativeTo: "/a") == "")
        #expect(ConfigPaths.directory(of: "prometheus.yml") == ".")
        #expect(ConfigPaths.directory(of: "/etc/p/prometheus.yml") == "/etc/p")
    }
}
