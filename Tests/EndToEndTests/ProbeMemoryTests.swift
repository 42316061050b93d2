import Foundation
import Hummingbird
import NIOCore
import TestSupport
import Testing

/// A probe runs for months: its memory must not grow with the number of probes it has made.
/// Three models every 10 ms (two over HTTP against a local server replaying llama.cpp's stream,
/// one simulated) are probed thousands of times, and the process's resident memory, as
/// `process_resident_memory_bytes` reports it, is compared between an early and a late point.
struct ProbeMemoryTests {
    /// Resident memory may grow this much between the two points (allocator and page noise).
    static let allowedGrowth = 8 << 20
    static let early = 1_500
    static let late = 6_500

    @Test func memoryStaysFlatOverThousandsOfProbes() async throws {
        let stream = try String(
            contentsOfFile: Programs.repositoryRoot.appendingPathComponent(
                "Tests/ProbeTests/Fixtures/llama-server-stream-include-usage.sse"
            ).path, encoding: .utf8)
        try await HeavyWork.limited {
            try await LocalServer.with({ router in
                router.post("/v1/chat/completions") { _, _ in
                    Response(
                        status: .ok, headers: [.contentType: "text/event-stream"],
                        body: .init(byteBuffer: ByteBuffer(string: stream)))
                }
            }) { port in
                let directory = try Programs.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let path = directory.appendingPathComponent("probe.yml").path
                let local = (["local-a", "local-b"]).map { name in
                    """
                      - name: \(name)
                        provider: openai_compatible
                        model: llama
                        endpoint: http://127.0.0.1:\(port)/v1
                        schedule: 10ms
                        prompts: [{name: hi, prompt: "Say hello.", expect: {contains: "Hello"}}]

                    """
                }
                try ("models:\n" + local.joined() + """
                      - name: sim
                        provider: simulated
                        schedule: 10ms
                        simulation: {time_to_first_token: 1ms, time_per_token: 0ms}
                        prompts: [{name: hi, prompt: "Say hello."}]

                    """).write(toFile: path, atomically: true, encoding: .utf8)
                let probe = try await RunningProbe.start(["--config.file=\(path)"])
                do {
                    let first = try await Self.residentBytes(probe, afterRequests: Self.early)
                    let second = try await Self.residentBytes(probe, afterRequests: Self.late)
                    let growth = second.bytes - first.bytes
                    #expect(
                        growth < Self.allowedGrowth,
                        "resident memory grew \(growth / 1024) KiB from \(first.requests) to \(second.requests) probes")
                    #expect(
                        try await HTTP.get(probe.baseURL + "/metrics").body.contains(
                            #"llm_request_total{model="local-a",provider="openai_compatible",operation="probe"}"#),
                        "the HTTP models were probed")
                } catch {
                    await probe.process.stop(keepLog: true)
                    throw error
                }
                await probe.stop()
            }
        }
    }

    /// Waits until the probe has made `requests` requests, then reads its resident memory.
    static func residentBytes(_ probe: RunningProbe, afterRequests requests: Int) async throws -> (
        requests: Int, bytes: Int
    ) {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let page = try await HTTP.get(probe.baseURL + "/metrics").body
            var made = 0
            var resident: Int?
            for line in page.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let value = Double(fields[1]) else { continue }
                if fields[0].hasPrefix("llm_request_total{") { made += Int(value) }
                if fields[0] == "process_resident_memory_bytes" { resident = Int(value) }
            }
            if made >= requests, let resident { return (made, resident) }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("the probe did not make \(requests) requests within 180 s")
    }
}
