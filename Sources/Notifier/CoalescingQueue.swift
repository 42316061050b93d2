/// What waits to be delivered to one destination: items coalesced by key, oldest first,
/// bounded in size.
///
/// A newer item for a key replaces an older undelivered one in the same state (a resend of a
/// firing alert replaces the previous resend), but a change of state is kept (an alert that
/// fired and resolved while Alertmanager was down is delivered firing, then resolved), so
/// nothing that happened is lost and nothing is delivered twice. Each key holds at most its
/// last two states.
struct CoalescingQueue<Key: Hashable & Sendable, Item: Sendable>: Sendable {
    /// An item handed out for delivery, to confirm or keep after the attempt.
    struct Taken: Sendable {
        let key: Key
        let sequence: UInt64
        let item: Item
    }

    private struct Version: Sendable {
        let sequence: UInt64
        let item: Item
        let firing: Bool
    }

    private var versions: [Key: [Version]] = [:]
    /// Keys in the order their oldest waiting version arrived.
    private var order: [Key] = []
    private var nextSequence: UInt64 = 0
    /// The most items held before the oldest are dropped.
    let capacity: Int

    /// An empty queue holding at most `capacity` items.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Items waiting.
    private(set) var count = 0

    /// Whether nothing waits.
    var isEmpty: Bool { count == 0 }

    /// Adds `item` under `key`; returns the items dropped to stay within capacity.
    mutating func add(_ item: Item, key: Key, firing: Bool) -> [Item] {
        nextSequence += 1
        let version = Version(sequence: nextSequence, item: item, firing: firing)
        if var held = versions[key] {
            if held[held.count - 1].firing == firing {
                held[held.count - 1] = version
            } else {
                held.append(version)
                count += 1
                if held.count > 2 {
                    held.removeFirst()
                    count -= 1
                }
            }
            versions[key] = held
        } else {
            versions[key] = [version]
            order.append(key)
            count += 1
        }
        var dropped: [Item] = []
        while count > capacity, let oldest = order.first, var held = versions[oldest] {
            dropped.append(held.removeFirst().item)
            count -= 1
            if held.isEmpty {
                versions[oldest] = nil
                order.removeFirst()
            } else {
                versions[oldest] = held
            }
        }
        return dropped
    }

    /// The oldest waiting version of up to `limit` keys, in arrival order; they stay queued
    /// until confirmed.
    func peek(limit: Int) -> [Taken] {
        var taken: [Taken] = []
        for key in order {
            guard taken.count < limit else { break }
            if let first = versions[key]?.first {
                taken.append(Taken(key: key, sequence: first.sequence, item: first.item))
            }
        }
        return taken
    }

    /// Removes the delivered versions; a version replaced while it was being delivered stays
    /// (its replacement is newer and still to send).
    mutating func confirm(_ delivered: [Taken]) {
        for entry in delivered {
            guard var held = versions[entry.key], held.first?.sequence == entry.sequence else { continue }
            held.removeFirst()
            count -= 1
            if held.isEmpty {
                versions[entry.key] = nil
                order.removeAll { $0 == entry.key }
            } else {
                versions[entry.key] = held
            }
        }
    }
}
