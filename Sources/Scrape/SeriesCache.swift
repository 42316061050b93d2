#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Series

/// What a target's scrapes remember about each series line they have seen: Prometheus's
/// `scrapeCache`. A line is looked up by its bytes as written (`name{a="1"}`), so a series seen
/// before costs a hash and a compare, and allocates nothing.
///
/// Each distinct final label set (after target labels and metric relabeling) is a *slot*, which
/// tracks staleness: a slot seen in the previous successful scrape and not in this one gets a
/// stale marker.
struct SeriesCache {
    struct Entry {
        /// The series bytes as written.
        var key: [UInt8]
        var hash: UInt64
        /// The slot, or -1 when metric relabeling dropped the series.
        var slot: Int32
        /// The scrape iteration that last saw this line.
        var lastIteration: UInt64
    }

    struct Slot {
        /// The final labels the samples are stored under.
        var labels: Labels
        /// The iteration whose sample was last appended (duplicate detection).
        var scrapedIteration: UInt64 = 0
        /// The iteration that last tracked it for staleness.
        var trackedIteration: UInt64 = 0
    }

    private(set) var entries: [Entry] = []
    /// Open addressing with linear probing: entry index + 1, 0 for empty.
    private var buckets: [Int32] = Array(repeating: 0, count: 1024)
    private(set) var slots: [Slot] = []
    private var slotsByLabels: [Labels: Int32] = [:]
    /// The current scrape iteration.
    private(set) var iteration: UInt64 = 0
    /// Slots tracked in the previous successful scrape, and in the current one.
    private(set) var previous: [Int32] = []
    private(set) var current: [Int32] = []
    /// How many entries the cache held after the last successful scrape.
    private var successfulCount = 0
    /// How many distinct lines the current scrape has seen.
    private var seenThisIteration = 0

    /// Starts a scrape.
    mutating func beginIteration() {
        iteration += 1
        current.removeAll(keepingCapacity: true)
        seenThisIteration = 0
    }

    /// The index of the entry for `key`, marking it seen in this iteration.
    @inline(__always)
    mutating func lookup(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = buckets.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = buckets[index]
            if stored == 0 { return nil }
            let entryIndex = Int(stored - 1)
            if entries[entryIndex].hash == hash, Self.equal(entries[entryIndex].key, key) {
                if entries[entryIndex].lastIteration != iteration {
                    entries[entryIndex].lastIteration = iteration
                    seenThisIteration += 1
                }
                return entryIndex
            }
            index = (index + 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == key.count else { return false }
        guard let base = key.baseAddress else { return stored.isEmpty }
        return stored.withUnsafeBytes { storedBytes in
            guard let storedBase = storedBytes.baseAddress else { return false }
            return memcmp(storedBase, base, key.count) == 0
        }
    }

    /// Adds an entry for `key` (not present) pointing at `slot` (-1 for dropped).
    mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64, slot: Int32) -> Int {
        if (entries.count + 1) * 2 > buckets.count { grow() }
        entries.append(Entry(key: Array(key.bindMemory(to: UInt8.self)), hash: hash, slot: slot, lastIteration: iteration))
        seenThisIteration += 1
        place(entries.count - 1)
        return entries.count - 1
    }

    private mutating func place(_ entryIndex: Int) {
        let mask = buckets.count - 1
        var index = Int(truncatingIfNeeded: entries[entryIndex].hash) & mask
        while buckets[index] != 0 { index = (index + 1) & mask }
        buckets[index] = Int32(entryIndex + 1)
    }

    private mutating func grow() {
        buckets = Array(repeating: 0, count: buckets.count * 2)
        for index in entries.indices { place(index) }
    }

    /// The slot for a final label set, created when new.
    mutating func slot(for labels: Labels) -> Int32 {
        if let slot = slotsByLabels[labels] { return slot }
        let slot = Int32(slots.count)
        slots.append(Slot(labels: labels))
        slotsByLabels[labels] = slot
        return slot
    }

    /// The labels of `slot`.
    @inline(__always)
    func labels(of slot: Int32) -> Labels { slots[Int(slot)].labels }

    /// Whether `slot` already had a sample appended in this scrape; marks it so.
    @inline(__always)
    mutating func markScraped(_ slot: Int32) -> Bool {
        let index = Int(slot)
        if slots[index].scrapedIteration == iteration { return true }
        slots[index].scrapedIteration = iteration
        return false
    }

    /// Tracks `slot` for staleness in this scrape.
    @inline(__always)
    mutating func track(_ slot: Int32) {
        let index = Int(slot)
        if slots[index].trackedIteration != iteration {
            slots[index].trackedIteration = iteration
            current.append(slot)
        }
    }

    /// The labels of slots tracked in the previous successful scrape but not in this one.
    func staleAfterSuccess() -> [Labels] {
        previous.compactMap { slots[Int($0)].trackedIteration == iteration ? nil : slots[Int($0)].labels }
    }

    /// The labels of every slot tracked in the previous successful scrape (all go stale when a
    /// scrape fails or the target goes away).
    func allPrevious() -> [Labels] {
        previous.map { slots[Int($0)].labels }
    }

    /// Ends a successful scrape: its series become the previous ones, and entries this scrape
    /// did not see are flushed (Prometheus flushes its cache after every successful scrape).
    mutating func endSuccessful() {
        swap(&previous, &current)
        current.removeAll(keepingCapacity: true)
        if seenThisIteration < entries.count { compact() }
        successfulCount = entries.count
    }

    /// Ends a failed or empty scrape: nothing is previous any more. The cache is cleared when it
    /// has grown past twice its last successful size (plus 1000), as Prometheus forces a flush.
    mutating func endFailed() {
        previous.removeAll(keepingCapacity: true)
        current.removeAll(keepingCapacity: true)
        if entries.count > successfulCount * 2 + 1000 {
            removeAll()
        }
    }

    /// Forgets every line, keeping the slots of the previous scrape (for staleness), so the next
    /// scrape rebuilds labels from scratch (after a config change).
    mutating func forgetLines() {
        let previousLabels = allPrevious()
        removeAll()
        for labels in previousLabels {
            previous.append(slot(for: labels))
        }
    }

    /// Forgets everything, previous series included.
    mutating func removeAll() {
        entries.removeAll()
        buckets = Array(repeating: 0, count: 1024)
        slots.removeAll()
        slotsByLabels.removeAll()
        previous.removeAll()
        current.removeAll()
        successfulCount = 0
    }

    /// Drops entries not seen in this iteration and slots no entry and no previous scrape uses.
    private mutating func compact() {
        var usedSlots = [Bool](repeating: false, count: slots.count)
        for slot in previous { usedSlots[Int(slot)] = true }
        var keptEntries: [Entry] = []
        keptEntries.reserveCapacity(seenThisIteration)
        for entry in entries where entry.lastIteration == iteration {
            keptEntries.append(entry)
            if entry.slot >= 0 { usedSlots[Int(entry.slot)] = true }
        }
        var remap = [Int32](repeating: -1, count: slots.count)
        var keptSlots: [Slot] = []
        slotsByLabels.removeAll(keepingCapacity: true)
        for (index, slot) in slots.enumerated() where usedSlots[index] {
            remap[index] = Int32(keptSlots.count)
            slotsByLabels[slot.labels] = Int32(keptSlots.count)
            keptSlots.append(slot)
        }
        slots = keptSlots
        previous = previous.map { remap[Int($0)] }
        entries = keptEntries.map { entry in
            var entry = entry
            if entry.slot >= 0 { entry.slot = remap[Int(entry.slot)] }
            return entry
        }
        var capacity = 1024
        while capacity < entries.count * 2 { capacity *= 2 }
        buckets = Array(repeating: 0, count: capacity)
        for index in entries.indices { place(index) }
    }

    /// The number of lines cached.
    var count: Int { entries.count }
}
