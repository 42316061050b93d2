import AsyncHTTPClient
import Exposition
import Foundation
import Logging
import NIOCore
import Series
import ServiceLifecycle
import Synchronization

/// Sends samples to a Prometheus remote-write endpoint (`--remote-write.url`): appends are
/// queued at once and sent in the background, in requests of up to `maxSamplesPerSend`
/// samples, at least every `flushInterval`. Failed requests (connection, timeout, 5xx, 429) are
/// retried with exponential backoff, so an outage delays samples rather than losing them, up
/// to `capacity` queued samples; beyond that the oldest are dropped and counted. A 4xx other
/// than 429 drops the request (retrying cannot help), as Prometheus does.
public final class RemoteWriteQueue: SampleAppender, Service, Sendable {
    /// Where and how to send.
    public struct Options: Sendable {
        /// The endpoint, e.g. `http://127.0.0.1:9090/api/v1/write`.
        public var url: String
        /// Where requests go when that differs from `url`: with `tls_config.server_name` the
        /// URL names the server, and the client resolves that name to `url`'s host.
        public var requestURL: String?
        /// Extra headers (authorization); never logged.
        public var headers: [String: String] = [:]
        /// How long one request may take.
        public var timeout: Duration = .seconds(30)
        /// Samples in one request at most.
        public var maxSamplesPerSend = 2000
        /// The longest a sample waits before being sent.
        public var flushInterval: Duration = .seconds(1)
        /// Samples held before the oldest are dropped.
        public var capacity = 500_000
        /// Rewrites each sample's labels before it is queued (external labels, then
        /// `write_relabel_configs`, as Prometheus does); nil labels leave the sample out.
        public var relabel: (@Sendable (Labels) -> Labels?)?

        /// Options for `url`.
        public init(url: String) {
            self.url = url
        }
    }

    private let options: Options
    private let client: HTTPClient
    private let logger: Logger
    private let pending = Mutex<[LabeledSample]>([])
    private let sent: Counter
    private let failed: Counter
    private let dropped: Counter
    private let queued: Gauge

    /// A queue sending to `options.url`; its metrics go to `registry`.
    public init(options: Options, client: HTTPClient, registry: MetricRegistry, logger: Logger) {
        self.options = options
        self.client = client
        self.logger = logger
        let name = Self.displayName(options.url)
        sent = registry.counter(
            name: "llmwatch_remote_write_samples_sent_total", help: "Samples the remote-write endpoint accepted.",
            labelNames: ["url"]
        ).labels(name)
        failed = registry.counter(
            name: "llmwatch_remote_write_requests_failed_total", help: "Remote-write requests that failed.",
            labelNames: ["url"]
        ).labels(name)
        dropped = registry.counter(
            name: "llmwatch_remote_write_samples_dropped_total",
            help: "Samples given up on: queue overflow, refused by the endpoint, or unsent at shutdown.", labelNames: ["url"]
        ).labels(name)
        queued = registry.gauge(
            name: "llmwatch_remote_write_samples_pending", help: "Samples waiting to be sent.", labelNames: ["url"]
        ).labels(name)
    }

    /// See `SampleAppender.append`: queues the samples; never fails.
    public func append(_ samples: [LabeledSample]) throws -> AppendSummary {
        var summary = AppendSummary()
        summary.appended = samples.count
        let samples = options.relabel.map { relabel in
            samples.compactMap { sample in
                relabel(sample.labels).map { LabeledSample(labels: $0, sample: sample.sample) }
            }
        } ?? samples
        let overflow = pending.withLock { pending -> Int in
            pending += samples
            let excess = pending.count - options.capacity
            if excess > 0 { pending.removeFirst(excess) }
            return max(excess, 0)
        }
        if overflow > 0 {
            dropped.inc(Double(overflow))
            logger.warning("remote-write queue full, dropping the oldest samples", metadata: ["dropped": "\(overflow)"])
        }
        queued.set(Double(pending.withLock { $0.count }))
        return summary
    }

    /// Sends until graceful shutdown, then tries once more to send what waits.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await self.sendUntilCancelled() }
        while pending.withLock({ !$0.isEmpty }), await sendBatch() {}
        let left = pending.withLock { $0.count }
        if left > 0 {
            dropped.inc(Double(left))
            logger.warning("remote-write samples unsent at shutdown", metadata: ["count": "\(left)"])
        }
    }

    private func sendUntilCancelled() async throws {
        var backoff = Duration.milliseconds(500)
        while !Task.isCancelled {
            if await sendBatch() {
                backoff = .milliseconds(500)
                if pending.withLock({ $0.count }) >= options.maxSamplesPerSend { continue }
                try await Task.sleep(for: options.flushInterval)
            } else {
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// Sends the oldest batch; returns false when it should be retried later.
    private func sendBatch() async -> Bool {
        let batch = pending.withLock { Array($0.prefix(options.maxSamplesPerSend)) }
        guard !batch.isEmpty else { return true }
        var order: [Labels] = []
        var bySeries: [Labels: [Sample]] = [:]
        for item in batch {
            if bySeries[item.labels] == nil { order.append(item.labels) }
            bySeries[item.labels, default: []].append(item.sample)
        }
        let series = order.map { labels in
            (labels: labels, samples: (bySeries[labels] ?? []).sorted { $0.timestamp < $1.timestamp })
        }
        let body = Snappy.compress(WriteRequest.encode(series))
        var request = HTTPClientRequest(url: options.requestURL ?? options.url)
        request.method = .POST
        request.headers.add(name: "Content-Encoding", value: "snappy")
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.headers.add(name: "User-Agent", value: "llmwatch")
        request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
        for (name, value) in options.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let milliseconds = options.timeout.components.seconds * 1000
        let outcome: (status: Int?, detail: String)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            let text = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            outcome = (Int(response.status.code), text)
        } catch {
            outcome = (nil, "\(error)")
        }
        switch outcome.status {
        case .some(200..<300):
            remove(batch.count)
            sent.inc(Double(batch.count))
            return true
        case .some(let code) where (400..<500).contains(code) && code != 429:
            remove(batch.count)
            failed.inc()
            dropped.inc(Double(batch.count))
            logger.error(
                "remote-write endpoint refused samples; dropped",
                metadata: ["url": "\(Self.displayName(options.url))", "status": "\(code)", "err": "\(outcome.detail)"])
            return true
        default:
            failed.inc()
            logger.warning(
                "remote write failed; retrying",
                metadata: ["url": "\(Self.displayName(options.url))", "err": "\(outcome.status.map { "HTTP \($0)" } ?? outcome.detail)"])
            return false
        }
    }

    /// Drops the first `count` samples (sent or refused); overflow may have dropped some of
    /// them already.
    private func remove(_ count: Int) {
        let left = pending.withLock { pending -> Int in
            pending.removeFirst(min(count, pending.count))
            return pending.count
        }
        queued.set(Double(left))
    }

    private static func displayName(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else {
            return url
        }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
