import Synchronization

/// Lets one log line per key (an account, an occupant) through per interval, so that a flood
/// of refused stanzas leaves the operator one line naming the account, not one per stanza.
final class LogThrottle: Sendable {
    private let interval: Duration
    private let maxKeys: Int
    private let lastLogged = Mutex<[String: ContinuousClock.Instant]>([:])

    init(interval: Duration = .seconds(60), maxKeys: Int = 10_000) {
        self.interval = interval
        self.maxKeys = maxKeys
    }

    /// True when nothing was logged for `key` within the interval; records that this one is.
    func shouldLog(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return lastLogged.withLock { lastLogged in
            if let previous = lastLogged[key], now - previous < interval { return false }
            // Bounded memory under many distinct keys: forgetting only means one more line.
            if lastLogged.count >= maxKeys { lastLogged.removeAll(keepingCapacity: true) }
            lastLogged[key] = now
            return true
        }
    }
}
