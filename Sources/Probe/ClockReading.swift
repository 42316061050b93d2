#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A moment on `ContinuousClock`'s own clock, read and kept as a plain count of nanoseconds.
///
/// `ContinuousClock.Instant` belongs to a library-evolution module: code outside it copies an
/// instant through its type metadata and value witnesses, and `ContinuousClock.now` is a call
/// into the concurrency runtime. On a read that wakes to cold caches, as each event of a paced
/// stream does, that costs microseconds. Reading the same system clock into an integer costs a
/// fraction of one: `CLOCK_BOOTTIME` on Linux and `CLOCK_MONOTONIC_RAW` on Darwin, which is what
/// the runtime reads for `ContinuousClock`.
struct ClockReading: Sendable, Equatable {
    /// Nanoseconds on the system clock behind `ContinuousClock`.
    let nanoseconds: Int64

    /// Reads the clock.
    static var now: ClockReading {
        var time = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_BOOTTIME, &time)
        #else
        clock_gettime(CLOCK_MONOTONIC_RAW, &time)
        #endif
        return ClockReading(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    /// One moment read both ways, which relates the two: readings and instants are the same
    /// clock, so they differ by a constant (and by the few nanoseconds between the two reads).
    private static let origin = (instant: ContinuousClock.now, reading: ClockReading.now)

    /// The reading of `instant`.
    init(_ instant: ContinuousClock.Instant) {
        let since = Self.origin.instant.duration(to: instant).components
        nanoseconds = Self.origin.reading.nanoseconds + since.seconds * 1_000_000_000 + since.attoseconds / 1_000_000_000
    }

    private init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The same moment as a `ContinuousClock` instant.
    var instant: ContinuousClock.Instant {
        Self.origin.instant + .nanoseconds(nanoseconds - Self.origin.reading.nanoseconds)
    }
}
