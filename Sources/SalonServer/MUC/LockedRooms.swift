import Synchronization

/// Rooms being created by join (XEP-0045 §10.1: locked until configured) exist only in memory,
/// under MaxRoomsPerCreator's radar until configured: one user may hold `limit` of them at once
/// (`limits.locked_rooms_per_user`), across every room loop.
final class LockedRooms: Sendable {
    let limit: Int
    private let held = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one for `user`; false when they hold `limit` already.
    func reserve(for user: String) -> Bool {
        held.withLock { held in
            let count = held[user, default: 0]
            guard count < limit else { return false }
            held[user] = count + 1
            return true
        }
    }

    /// The room was configured, cancelled or left.
    func release(for user: String) {
        held.withLock { held in
            guard let count = held[user] else { return }
            held[user] = count > 1 ? count - 1 : nil
        }
    }
}
