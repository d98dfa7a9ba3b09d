/// Rooms being created by join (XEP-0045 §10.1: locked until configured) exist only in memory,
/// under MaxRoomsPerCreator's radar until configured: one user may hold `limit` of them at once
/// (`limits.locked_rooms_per_user`), across every room loop.
final class LockedRooms: Sendable {
    let limit: Int
    private let held = PlacesPerKey()

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one for `user`; false when they hold `limit` already.
    func reserve(for user: String) -> Bool { held.take(user, limit: limit) }

    /// The room was configured, cancelled or left.
    func release(for user: String) { held.giveBack(user) }
}
