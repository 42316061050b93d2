import NIOCore
import Testing

@testable import Probe

/// Nothing of an exchange outlives it: once a call has returned (answered, failed or timed
/// out), its reader, its consumer and the consumer's buffers are freed. A probe runs every few
/// seconds for months, so whatever one exchange keeps alive adds up.
@Suite struct ExchangeLifetimeTests {
    /// An object whose lifetime a test watches through a weak reference.
    final class Canary: Sendable {}

    /// Takes every line, holds a ``Canary`` and stops at `END`.
    struct CanaryLines: LineConsumer {
        let canary: Canary
        var endMarkers: [EndMarker] { ["END"] }
        var consumesLinesAsTheyArrive: Bool { true }
        func consume(line: UnsafeBufferPointer<UInt8>, at now: ClockReading) -> Bool {
            !line.elementsEqual("END".utf8)
        }
        func finish(_ times: StreamTimes) {}
    }

    /// A weak reference to a call's canary.
    final class Watch: @unchecked Sendable {
        weak var canary: Canary?
    }

    /// Streams from `reply` once with a fresh canary, on a client of its own that is shut down
    /// after; returns a weak reference to the canary and the call's error, if any.
    static func call(_ reply: FixtureReply, timeout: Duration = .seconds(5)) async throws -> (Watch, ProbeError?) {
        let client = ProbeHTTPClient()
        let watch = Watch()
        let failure = try await withFixtureServer(reply) { server -> ProbeError? in
            let transport = HTTPTransport(client: client)
            let request = try HTTPRequest(url: server.baseURL + "/stream", method: .POST, headers: [], body: [])
            let canary = Canary()
            watch.canary = canary
            do throws(ProbeError) {
                try await transport.streamLines(
                    request, timeout: timeout, redactor: SecretRedactor(secrets: []),
                    consumer: CanaryLines(canary: canary))
                return nil
            } catch {
                return error
            }
        }
        await client.shutdown()
        return (watch, failure)
    }

    @Test(arguments: [
        ("answered, end event", FixtureReply.stream([.send(Array("a\nEND\n".utf8))]), nil),
        ("answered, body end", FixtureReply.stream([.send(Array("a\nb\n".utf8))]), nil),
        ("error status", FixtureReply.body(500, #"{"error": {"message": "boom"}}"#), ErrorClass.serverError),
        ("cut off", FixtureReply.stream([.send(Array("a\n".utf8)), .abort]), ErrorClass.invalidResponse),
    ] as [(String, FixtureReply, ErrorClass?)])
    func theConsumerIsFreedWhenTheCallReturns(_ name: String, reply: FixtureReply, failure: ErrorClass?) async throws {
        let (watch, error) = try await Self.call(reply)
        #expect(error?.errorClass == failure, "\(name): \(String(describing: error))")
        #expect(watch.canary == nil, "\(name): the exchange's consumer is still alive after the call returned")
    }

    @Test func theConsumerIsFreedAfterATimeout() async throws {
        let (watch, error) = try await Self.call(
            .stream([.send(Array("a\n".utf8)), .pause(.seconds(10))]), timeout: .milliseconds(200))
        #expect(error?.errorClass == .timeout)
        #expect(watch.canary == nil, "the exchange's consumer is still alive after its timeout")
    }
}
