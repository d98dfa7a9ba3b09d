import NIOCore

/// A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. Streams count bytes
/// with it (going into debt and pausing reads); rooms count presence changes (refusing
/// what does not fit, since a refused stanza costs nothing to keep).
struct TokenBucket {
    let ratePerSecond: Double
    let burst: Int
    private var tokens: Double
    private var last: NIODeadline?

    init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond > 0 ? ratePerSecond : 1
        self.burst = max(1, burst)
        self.tokens = Double(self.burst)
    }

    /// Takes `count` tokens; returns how long to wait before reading again when in debt.
    mutating func consume(_ count: Int, now: NIODeadline) -> TimeAmount? {
        refill(now: now)
        tokens -= Double(count)
        guard tokens < 0 else { return nil }
        return .nanoseconds(Int64(-tokens / ratePerSecond * 1e9))
    }

    /// Takes one token if there is one; false (taking nothing) when the bucket is empty.
    mutating func take(now: NIODeadline) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// True when the bucket has refilled completely: nothing recent to remember.
    func isFull(now: NIODeadline) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= Double(burst)
    }

    private mutating func refill(now: NIODeadline) {
        if let last {
            let elapsed = Double((now - last).nanoseconds) / 1e9
            tokens = min(Double(burst), tokens + elapsed * ratePerSecond)
        }
        last = now
    }
}
