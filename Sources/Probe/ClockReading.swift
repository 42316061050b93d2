#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A moment on `ContinuousClock`'s own clock, kept as a plain count of nanoseconds: how a
/// stream's lines carry the instant they were handed over (``LineConsumer``).
///
/// `ContinuousClock.Instant` belongs to a library-evolution module: code outside it copies an
/// instant through its type metadata and value witnesses, which on every line of a stream, to
/// cold caches, costs microseconds; an integer is copied for nothing. The count is on the system
/// clock behind `ContinuousClock` (`CLOCK_BOOTTIME` on Linux, `CLOCK_MONOTONIC_RAW` on Darwin),
/// so a reading and an instant differ by a constant.
struct ClockReading: Sendable, Equatable {
    /// Nanoseconds on the system clock behind `ContinuousClock`.
    let nanoseconds: Int64

    /// Reads the clock (once, for ``origin``: the instants come from `ContinuousClock`).
    private static var now: ClockReading {
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
