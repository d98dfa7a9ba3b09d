import NIOCore

/// Counts a stream's silence in equal periods, so one read-idle timer serves two purposes:
/// after the first quiet period the stream gives back its parser, and after `idleTimeout` the
/// owner is told (a ping, then a close). The periods divide the idle timeout exactly, so the
/// ping comes when it always did; none is longer than the parser release asks.
struct QuietPeriods {
    /// How long each period lasts: the read timeout of the channel's `IdleStateHandler`.
    let period: TimeAmount
    /// Periods in one idle timeout.
    let perIdleTimeout: Int
    /// Whether the parser is given back at all.
    let releasesParser: Bool
    /// Periods of silence since the last read.
    private(set) var elapsed = 0

    init(idleTimeout: Double, parserRelease: Double) {
        let idle = max(idleTimeout, 0.001)
        releasesParser = parserRelease > 0 && parserRelease < idle
        perIdleTimeout = releasesParser ? Int((idle / parserRelease).rounded(.up)) : 1
        period = .nanoseconds(Int64(idle * 1e9 / Double(perIdleTimeout)))
    }

    /// Bytes arrived; returns whether they ended a silence of at least one period (the parser
    /// was given back then, and the peer is likely quiet again after these bytes).
    mutating func read() -> Bool {
        defer { elapsed = 0 }
        return elapsed > 0
    }

    /// A period went by without a read; returns whether the idle timeout is reached with it.
    mutating func periodElapsed() -> Bool {
        elapsed += 1
        return elapsed % perIdleTimeout == 0
    }
}
