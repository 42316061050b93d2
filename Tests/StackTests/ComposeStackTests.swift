import Foundation
import TestSupport
import Testing
import Yams

/// docker-compose.yml is valid, and its services run outside Docker as it runs them: the same
/// commands and configuration files, host names and ports swapped for 127.0.0.1 (this machine
/// has no Docker engine). An alert then travels probe -> Prometheus -> Alertmanager -> webhook
/// sink, and again with `llmwatch evaluate` in Prometheus's place.
struct ComposeStackTests {
    /// A service of docker-compose.yml.
    struct Service {
        var name: String
        var image: String
        var command: [String]
        var environment: [String: String]
    }

    static func services() throws -> [String: Service] {
        let text = try ShippedFiles.read("docker-compose.yml")
        guard let root = try Yams.load(yaml: text) as? [String: Any], let entries = root["services"] as? [String: Any] else {
            throw TestFailure("docker-compose.yml has no services")
        }
        var out: [String: Service] = [:]
        for (name, value) in entries {
            guard let body = value as? [String: Any] else { continue }
            let image = body["image"] as? String ?? ""
            let command = (body["command"] as? [Any])?.map { "\($0)" } ?? []
            let environment = (body["environment"] as? [String: Any])?.mapValues { "\($0)" } ?? [:]
            out[name] = Service(name: name, image: image, command: command, environment: environment)
        }
        return out
    }

    @Test(.enabled(if: Programs.isInstalled("docker-compose")))
    func composeFileIsValid() async throws {
        for profile in [[], ["--profile", "ollama"]] {
            let result = try await runProgram(
                try Programs.installed("docker-compose"), ["-f", ShippedFiles.path("docker-compose.yml")] + profile + ["config", "-q"])
            #expect(result.status == 0, "\(result.output)")
        }
        let services = try Self.services()
        #expect(Set(services.keys).isSuperset(of: ["probe", "evaluator", "prometheus", "alertmanager", "grafana", "webhook-sink", "ollama", "probe-ollama"]))
        for path in ["/etc/llmwatch/examples/simulated.yml", "/etc/llmwatch/examples/ollama.yml"] {
            let relative = path.replacingOccurrences(of: "/etc/llmwatch/", with: "")
            #expect(FileManager.default.fileExists(atPath: ShippedFiles.path(relative)), "\(relative) is missing")
        }
    }

    @Test func dockerfileBuildsANonRootImageFromTheOfficialSwiftImage() throws {
        let dockerfile = try ShippedFiles.read("Dockerfile")
        #expect(dockerfile.contains("FROM swift:"))
        #expect(dockerfile.contains("--static-swift-stdlib"))
        #expect(dockerfile.contains("USER 10001"))
        for copied in ["rules", "prometheus", "examples"] {
            #expect(dockerfile.contains("COPY \(copied) /etc/llmwatch/\(copied)"))
        }
    }

    /// The stack's files in a temporary directory, host names swapped for 127.0.0.1 ports.
    struct Stack {
        let directory: URL
        let ports: [String: Int]

        func address(_ service: String) -> String { "127.0.0.1:\(ports[service]!)" }

        /// `prometheus/` with its hosts rewritten, `rules/` (the shipped rules plus a test rule that fires at
        /// once), and `alertmanager/alertmanager.yml` pointing at the sink.
        static func make() throws -> Stack {
            let directory = try Programs.temporaryDirectory()
            var ports: [String: Int] = [:]
            for service in ["probe", "evaluator", "prometheus", "alertmanager", "webhook-sink", "probe-ollama"] {
                ports[service] = try Programs.freePort()
            }
            let stack = Stack(directory: directory, ports: ports)
            let manager = FileManager.default
            for sub in ["prometheus", "rules", "alertmanager"] {
                try manager.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            var prometheusYAML = try ShippedFiles.read("prometheus/prometheus.yml")
            for (host, port) in [
                ("probe:9478", "probe"), ("evaluator:9479", "evaluator"), ("alertmanager:9093", "alertmanager"),
                ("localhost:9090", "prometheus"), ("probe-ollama:9480", "probe-ollama"),
            ] {
                prometheusYAML = prometheusYAML.replacingOccurrences(of: host, with: stack.address(port))
            }
            prometheusYAML = prometheusYAML.replacingOccurrences(of: "scrape_interval: 15s", with: "scrape_interval: 1s")
                .replacingOccurrences(of: "evaluation_interval: 15s", with: "evaluation_interval: 1s")
            try prometheusYAML.write(to: directory.appendingPathComponent("prometheus/prometheus.yml"), atomically: true, encoding: .utf8)
            for file in ShippedFiles.ruleFiles {
                try manager.copyItem(
                    atPath: ShippedFiles.path(file),
                    toPath: directory.appendingPathComponent(file).path)
            }
            try """
                groups:
                  - name: stack-test
                    rules:
                      - alert: StackTestAlert
                        expr: up{job="llmwatch-probe"} == 1
                        labels: {severity: critical}
                        annotations: {summary: "the probe is scraped"}
                """.write(to: directory.appendingPathComponent("rules/stack-test.yml"), atomically: true, encoding: .utf8)
            let alertmanagerYAML = try ShippedFiles.read("alertmanager/alertmanager.yml")
                .replacingOccurrences(of: "webhook-sink:8080", with: stack.address("webhook-sink"))
                .replacingOccurrences(of: "group_wait: 10s", with: "group_wait: 0s")
                .replacingOccurrences(of: "group_wait: 30s", with: "group_wait: 0s")
            try alertmanagerYAML.write(to: directory.appendingPathComponent("alertmanager/alertmanager.yml"), atomically: true, encoding: .utf8)
            return stack
        }

        /// A compose command with container paths and listen addresses swapped for this stack's.
        func adapt(_ command: [String], service: String) -> [String] {
            command.map { argument in
                var argument = argument
                for (inside, outside) in [
                    ("/etc/llmwatch/prometheus", directory.appendingPathComponent("prometheus").path),
                    ("/etc/llmwatch/rules", directory.appendingPathComponent("rules").path),
                    ("/etc/llmwatch/examples", ShippedFiles.path("examples")),
                    ("/etc/alertmanager/alertmanager.yml", directory.appendingPathComponent("alertmanager/alertmanager.yml").path),
                    ("/var/lib/llmwatch/data", directory.appendingPathComponent("\(service)-data").path),
                    ("/prometheus", directory.appendingPathComponent("prometheus-data").path),
                    ("/alertmanager", directory.appendingPathComponent("alertmanager-data").path),
                    ("/opt/webhook-sink.py", ShippedFiles.path("scripts/webhook-sink.py")),
                ] where argument.contains(inside) && !argument.hasPrefix("--web.external-url") {
                    // One replacement per argument: the outside paths contain the inside names.
                    argument = argument.replacingOccurrences(of: inside, with: outside)
                    break
                }
                for (listen, name) in [(":9478", "probe"), (":9479", "evaluator"), (":9480", "probe-ollama")]
                where argument == "--web.listen-address=\(listen)" {
                    argument = "--web.listen-address=\(address(name))"
                }
                if argument == "0.0.0.0:8080" { argument = address("webhook-sink") }
                return argument
            }
        }
    }

    /// Starts `service` as compose runs it.
    static func start(_ service: Service, in stack: Stack, extra: [String] = []) throws -> ManagedProcess {
        let command = stack.adapt(service.command, service: service.name)
        switch service.name {
        case "probe", "evaluator":
            return try ManagedProcess(try Programs.llmwatch, command + extra, name: "llmwatch-\(service.name)")
        case "prometheus":
            return try ManagedProcess(
                try Programs.installed("prometheus"),
                command + ["--web.listen-address=\(stack.address("prometheus"))"] + extra, name: "prometheus")
        case "alertmanager":
            return try ManagedProcess(
                try Programs.installed("prometheus-alertmanager"),
                command + ["--web.listen-address=\(stack.address("alertmanager"))", "--cluster.listen-address="] + extra,
                name: "alertmanager")
        case "webhook-sink":
            return try ManagedProcess("/usr/bin/env", command, name: "webhook-sink")
        default:
            throw TestFailure("no way to run \(service.name) outside Docker")
        }
    }

    /// The alert names the sink received on `path`.
    static func received(_ stack: Stack, path: String) async throws -> [String] {
        let reply = try await HTTP.get("http://\(stack.address("webhook-sink"))/received")
        let entries = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [[String: Any]] ?? []
        return entries.filter { ($0["path"] as? String) == path }.flatMap { entry -> [String] in
            let alerts = (entry["body"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            return alerts.compactMap { ($0["labels"] as? [String: String])?["alertname"] }
        }
    }

    @Test(
        .enabled(
            if: Programs.isInstalled("prometheus") && Programs.isInstalled("prometheus-alertmanager")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")),
        arguments: ["prometheus", "evaluator"])
    func anAlertTravelsProbeToWebhookThrough(evaluator: String) async throws {
        let services = try Self.services()
        let stack = try Stack.make()
        defer { try? FileManager.default.removeItem(at: stack.directory) }
        var processes: [ManagedProcess] = []
        do {
            for name in ["webhook-sink", "alertmanager", "probe", evaluator] {
                processes.append(try Self.start(try #require(services[name]), in: stack))
            }
            _ = try await HTTP.waitFor("http://\(stack.address("alertmanager"))/-/ready", timeout: .seconds(60)) { _ in true }
            let deadline = ContinuousClock.now + .seconds(90)
            var arrived: [String] = []
            while ContinuousClock.now < deadline {
                arrived = (try? await Self.received(stack, path: "/critical")) ?? []
                if arrived.contains("StackTestAlert") { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(arrived.contains("StackTestAlert"), "through \(evaluator): \(processes.map(\.output).joined(separator: "\n---\n").suffix(4000))")
            let targets = try await HTTP.get("http://\(stack.address(evaluator == "prometheus" ? "prometheus" : "evaluator"))/api/v1/targets")
            #expect(targets.body.contains("\"health\":\"up\""))
        } catch {
            for process in processes.reversed() { await process.stop() }
            throw error
        }
        for process in processes.reversed() { await process.stop() }
    }
}
