import Testing

@testable import Notifier

/// What waits for a destination: resends coalesce, state changes are kept, the bound holds.
struct CoalescingQueueTests {
    typealias Queue = CoalescingQueue<String, String>

    static func contents(_ queue: Queue) -> [String] {
        queue.peek(limit: 100).map(\.item)
    }

    @Test func resendsOfOneStateReplaceEachOther() {
        var queue = Queue(capacity: 10)
        _ = queue.add("a firing 1", key: "a", firing: true)
        _ = queue.add("b firing 1", key: "b", firing: true)
        _ = queue.add("a firing 2", key: "a", firing: true)
        #expect(Self.contents(queue) == ["a firing 2", "b firing 1"])
        #expect(queue.count == 2)
    }

    @Test func aStateChangeIsKeptBehindTheStateBefore() {
        var queue = Queue(capacity: 10)
        _ = queue.add("a firing", key: "a", firing: true)
        _ = queue.add("a resolved", key: "a", firing: false)
        #expect(queue.count == 2)
        let first = queue.peek(limit: 1)
        #expect(first.map(\.item) == ["a firing"])
        queue.confirm(first)
        #expect(Self.contents(queue) == ["a resolved"])
        queue.confirm(queue.peek(limit: 1))
        #expect(queue.isEmpty)
    }

    @Test func onlyTheLastTwoStatesOfAKeyAreKept() {
        var queue = Queue(capacity: 10)
        _ = queue.add("firing", key: "a", firing: true)
        _ = queue.add("resolved", key: "a", firing: false)
        _ = queue.add("firing again", key: "a", firing: true)
        #expect(queue.count == 2)
        var delivered: [String] = []
        while !queue.isEmpty {
            let batch = queue.peek(limit: 1)
            delivered += batch.map(\.item)
            queue.confirm(batch)
        }
        #expect(delivered == ["resolved", "firing again"])
    }

    @Test func aVersionReplacedDuringDeliveryStaysQueued() {
        var queue = Queue(capacity: 10)
        _ = queue.add("a 1", key: "a", firing: true)
        let inFlight = queue.peek(limit: 10)
        _ = queue.add("a 2", key: "a", firing: true)
        queue.confirm(inFlight)
        #expect(Self.contents(queue) == ["a 2"])
    }

    @Test func overflowDropsTheOldest() {
        var queue = Queue(capacity: 3)
        for key in ["a", "b", "c"] { #expect(queue.add(key, key: key, firing: true).isEmpty) }
        #expect(queue.add("d", key: "d", firing: true) == ["a"])
        #expect(Self.contents(queue) == ["b", "c", "d"])
        #expect(queue.peek(limit: 2).map(\.item) == ["b", "c"])
    }
}
