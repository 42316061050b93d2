import Foundation
import Logging
import NIOSSL
import Notifier
import PrometheusConfig
import Scrape
import Series

/// The Alertmanagers of `alerting.alertmanagers` as Prometheus discovers them: each target of
/// `static_configs` and of the `file_sd_configs` files (read at every load) gets
/// `__address__`, `__scheme__` and `__alerts_path__`, goes through `relabel_configs`, and is
/// sent to at `<scheme>://<address><path_prefix>/api/v2/alerts` with the section's credentials,
/// timeout and `tls_config`.
enum AlertmanagerTargets {
    /// The destinations of `alerting`, and problems worth logging (unreadable files, bad
    /// targets); throws when a section's `tls_config` files cannot be used, which fails the
    /// load as it fails Prometheus's.
    static func destinations(
        _ alerting: AlertingConfig
    ) throws(TLSSetupError) -> (destinations: [HTTPDestination], problems: [String]) {
        var destinations: [HTTPDestination] = []
        var problems: [String] = []
        for config in alerting.alertmanagers {
            var groups = config.staticConfigs
            for fileSD in config.fileSDConfigs {
                for pattern in fileSD.files {
                    for file in FileGlob.matches(pattern) {
                        do {
                            groups += try TargetGroupFile.read(path: file)
                        } catch {
                            problems.append("alertmanager file_sd \(file): \(error)")
                        }
                    }
                }
            }
            let tls = config.http.tls == TLSConfig() ? nil : try config.http.tls.clientConfiguration()
            var headers: [String: String] = [:]
            do {
                if let authorization = try config.http.authorizationHeader() { headers["Authorization"] = authorization }
            } catch {
                problems.append("alertmanager credentials: \(error.description)")
                continue
            }
            for group in groups {
                for result in config.buildTargets(group) {
                    switch result {
                    case .active(let labels, _):
                        let url = config.alertsURL(labels: labels)
                        let connection = tls.map { ClientConnection($0, of: config.http.tls, to: url) }
                        destinations.append(
                            HTTPDestination(
                                url: url, headers: headers, timeout: config.timeout.duration, connection: connection))
                    case .dropped:
                        break
                    case .failed(let reason):
                        problems.append("alertmanager target: \(reason)")
                    }
                }
            }
        }
        return (destinations, problems)
    }

    /// A destination from a `--notifier.url` or `--notifier.webhook-url` flag; Alertmanager URLs
    /// without a path get `/api/v2/alerts`. Credentials in the URL become a Basic header.
    static func destination(flag url: String, alertmanager: Bool) -> HTTPDestination {
        guard var components = URLComponents(string: url) else { return HTTPDestination(url: url) }
        var headers: [String: String] = [:]
        if let user = components.user {
            let password = components.password ?? ""
            headers["Authorization"] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            components.user = nil
            components.password = nil
        }
        if alertmanager, components.path.isEmpty || components.path == "/" {
            components.path = "/api/v2/alerts"
        }
        return HTTPDestination(url: components.string ?? url, headers: headers)
    }
}

extension ClientConnection {
    /// How to reach `url` with `tls`, the client settings made from `config`: with its
    /// `server_name`, requests name the server and the client resolves it to `url`'s host.
    init(_ tls: NIOSSL.TLSConfiguration, of config: TLSConfig, to url: String) {
        let (requestURL, dnsOverride) = config.connection(to: url)
        self.init(tls: tls, requestURL: requestURL == url ? nil : requestURL, dnsOverride: dnsOverride)
    }
}
