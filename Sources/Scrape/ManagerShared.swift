import Logging
import Series

/// A unit of work for the scrape manager's task group (a loop, a discovery, a cleanup).
typealias ScrapeJob = @Sendable () async -> Void

/// Starts jobs as children of the scrape manager's task group.
struct Launcher: Sendable {
    let continuation: AsyncStream<ScrapeJob>.Continuation

    func launch(_ job: @escaping ScrapeJob) {
        continuation.yield(job)
    }
}

/// What every pool and loop of a scrape manager shares.
final class ManagerShared: Sendable {
    let appender: any SampleAppender
    let metrics: ScrapeMetrics
    /// Where the CPU part of scrapes runs; nil runs it on Swift's cooperative pool.
    let executor: ScrapeExecutor?
    let logger: Logger
    let options: ScrapeManager.Options
    let launcher: Launcher

    init(
        appender: any SampleAppender, metrics: ScrapeMetrics, executor: ScrapeExecutor?, logger: Logger,
        options: ScrapeManager.Options, launcher: Launcher
    ) {
        self.appender = appender
        self.metrics = metrics
        self.executor = executor
        self.logger = logger
        self.options = options
        self.launcher = launcher
    }
}
