import Foundation

/// Threads of their own for the CPU part of scrapes (parsing, relabeling, building the batch,
/// the store's append), so a large target does not hold one of Swift's cooperative threads for
/// tens of milliseconds while other tasks (HTTP handlers, rule evaluation, timers) wait.
///
/// Used as a task executor preference around the synchronous part of a scrape; jobs run in the
/// order queued, on `threads` threads.
final class ScrapeExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopped = false

    /// Starts `threads` threads named `llmwatch-scrape-N`.
    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in loop() }
            thread.name = "llmwatch-scrape-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Queues `job`.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Lets the threads end once the queued jobs have run.
    func shutdown() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count && !stopped { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
