import Synchronization

/// Places held per key (an address, an account) across every event loop, at most a limit per
/// key at once: the bookkeeping behind a cap on things in progress. A key holding no place is
/// forgotten, so the table only ever holds keys with something in progress.
final class PlacesPerKey: Sendable {
    private let held = Mutex<[String: Int]>([:])

    /// Takes a place for `key`; false when it holds `limit` already.
    func take(_ key: String, limit: Int) -> Bool {
        held.withLock { held in
            let count = held[key, default: 0]
            guard count < limit else { return false }
            held[key] = count + 1
            return true
        }
    }

    /// Gives back a place `take(_:limit:)` gave.
    func giveBack(_ key: String) {
        held.withLock { held in
            guard let count = held[key] else { return }
            held[key] = count > 1 ? count - 1 : nil
        }
    }

    /// The places `key` holds.
    func count(_ key: String) -> Int {
        held.withLock { $0[key, default: 0] }
    }
}
