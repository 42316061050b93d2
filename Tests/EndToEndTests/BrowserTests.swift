import Foundation
import Hummingbird
import TestSupport
import Testing

/// The evaluator's web page in a real headless Chromium (Debian's `chromium`): it loads, shows
/// the alert the test caused, and logs no console error.
@Suite(.enabled(if: Programs.isInstalled("chromium")))
struct BrowserTests {
    /// The page's DOM after load, and Chromium's console messages.
    static func load(_ url: String) async throws -> (dom: String, console: [String]) {
        let profile = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try await runProgram(
            try Programs.installed("chromium"),
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)", "--enable-logging=stderr",
                "--v=0", "--virtual-time-budget=2000", "--dump-dom", url,
            ])
        let console = result.output.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        let dom = result.output.split(separator: "\n").filter { !$0.hasPrefix("[") }.joined(separator: "\n")
        return (dom, console)
    }

    @Test func chromiumReportsAScriptErrorOnAPageThatHasOne() async throws {
        try await LocalServer.with({ router in
            router.get("/") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html"],
                    body: .init(byteBuffer: .init(string: "<html><body><script>undefinedFunction()</script></body></html>")))
            }
        }) { port in
            let (_, console) = try await Self.load("http://127.0.0.1:\(port)/")
            #expect(console.contains { $0.contains("undefinedFunction is not defined") }, "the check sees console errors: \(console)")
        }
    }

    @Test func thePageShowsTheAlertTheTestCausedWithoutConsoleErrors() async throws {
        let directory = try Programs.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = "browser-test-\(UUID().uuidString.prefix(8))"
        let rules = directory.appendingPathComponent("browser.rules.yml")
        try """
            groups:
              - name: browser
                interval: 1s
                rules:
                  - alert: BrowserTestAlert
                    expr: vector(1)
                    labels: {severity: warning}
                    annotations:
                      summary: "\(marker): the test caused this alert"
                      runbook_url: "https://example.invalid/runbook"
            """.write(to: rules, atomically: true, encoding: .utf8)
        let evaluator = try await RunningEvaluator.start(
            storage: directory.appendingPathComponent("data").path, ["--rule.file=\(rules.path)"])
        do {
            _ = try await HTTP.waitFor(evaluator.baseURL + "/api/v1/alerts") { $0.contains("\"state\":\"firing\"") }
            for path in ["/", "/alerts", "/rules", "/slos", "/models", "/targets", "/graph?g0.expr=up"] {
                let (dom, console) = try await Self.load(evaluator.baseURL + path)
                #expect(dom.contains("</html>"), "\(path) loaded")
                #expect(console.isEmpty, "\(path): \(console)")
                if path == "/" || path == "/alerts" {
                    #expect(dom.contains("BrowserTestAlert"))
                    #expect(dom.contains(marker))
                    #expect(dom.contains("firing"))
                }
            }
        } catch {
            await evaluator.stop()
            throw error
        }
        await evaluator.stop()
    }
}
