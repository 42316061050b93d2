/// The multi-window, multi-burn-rate alert windows for one SLO period (the Google SRE
/// workbook, chapter 5; Sloth's `AlertWindows`): each alert fires when both its long and its
/// short window burn the error budget faster than the factor that would spend
/// `budgetFraction` of it within the long window.
public struct AlertWindows: Sendable, Equatable {
    /// One window pair.
    public struct Window: Sendable, Equatable {
        /// The share of the period's error budget this window watches for (0.02 for 2%).
        public var budgetFraction: Double
        /// The short window, milliseconds.
        public var shortWindow: Int64
        /// The long window, milliseconds.
        public var longWindow: Int64
    }

    /// The period, milliseconds.
    public var period: Int64
    /// Page: quick (2% in 1h for 30 days) and slow (5% in 6h).
    public var pageQuick: Window
    /// See `pageQuick`.
    public var pageSlow: Window
    /// Ticket: quick (10% in 1d for 30 days) and slow (10% in 3d).
    public var ticketQuick: Window
    /// See `ticketQuick`.
    public var ticketSlow: Window

    private static let minute: Int64 = 60_000
    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000

    /// The burn-rate factor of `window`: the budget fraction spread over the long window
    /// (14.4 for 2% of a 30-day budget in 1h).
    public func factor(_ window: Window) -> Double {
        window.budgetFraction * Double(period) / Double(window.longWindow)
    }

    /// Every window the rules need a recording for, shortest first.
    public var windows: [Int64] {
        Array(
            Set([pageQuick, pageSlow, ticketQuick, ticketSlow].flatMap { [$0.shortWindow, $0.longWindow] })
        ).sorted()
    }

    /// The windows for `period`, for the periods they are known for: 30 and 28 days (the SRE
    /// workbook's and Sloth's defaults) and 7 days (Sloth's example); nil for others.
    public static func standard(period: Int64) -> AlertWindows? {
        func window(_ percent: Double, _ short: Int64, _ long: Int64) -> Window {
            Window(budgetFraction: percent / 100, shortWindow: short, longWindow: long)
        }
        switch period {
        case 30 * day, 28 * day:
            return AlertWindows(
                period: period, pageQuick: window(2, 5 * minute, hour), pageSlow: window(5, 30 * minute, 6 * hour),
                ticketQuick: window(10, 2 * hour, day), ticketSlow: window(10, 6 * hour, 3 * day))
        case 7 * day:
            return AlertWindows(
                period: period, pageQuick: window(8, 5 * minute, hour), pageSlow: window(12.5, 30 * minute, 6 * hour),
                ticketQuick: window(20, 2 * hour, day), ticketSlow: window(42, 6 * hour, 3 * day))
        default:
            return nil
        }
    }
}
