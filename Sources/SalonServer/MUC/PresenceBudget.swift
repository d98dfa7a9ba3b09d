import NIOCore

/// How often one occupant may change what a room broadcasts about it (`limits.room_*`):
/// every join and status update, and every nickname change, goes to every occupant.
struct PresenceRates: Sendable {
    var updateBurst: Int
    var updatesPerMinute: Int
    var nickChangeBurst: Int
    var nickChangesPerMinute: Int

    init(limits: ServerConfiguration.Limits) {
        updateBurst = limits.roomPresenceBurst
        updatesPerMinute = limits.roomPresencePerMinute
        nickChangeBurst = limits.roomNickChangeBurst
        nickChangesPerMinute = limits.roomNickChangesPerMinute
    }
}

/// What one user may still broadcast in one room. Kept by user, not by nickname, so that
/// changing nickname or leaving and rejoining does not start a fresh budget.
struct PresenceBudget {
    enum Change { case join, update, nickChange }

    private var updates: TokenBucket
    private var nickChanges: TokenBucket

    init(_ rates: PresenceRates) {
        updates = TokenBucket(ratePerSecond: Double(rates.updatesPerMinute) / 60, burst: rates.updateBurst)
        nickChanges = TokenBucket(ratePerSecond: Double(rates.nickChangesPerMinute) / 60, burst: rates.nickChangeBurst)
    }

    /// Spends one token for `change`; false, spending nothing, when over the limit.
    mutating func spend(_ change: Change, now: NIODeadline) -> Bool {
        switch change {
        case .join, .update: updates.take(now: now)
        case .nickChange: nickChanges.take(now: now)
        }
    }

    /// True once both buckets have refilled: forgetting the budget then changes nothing.
    func isUnused(now: NIODeadline) -> Bool {
        updates.isFull(now: now) && nickChanges.isFull(now: now)
    }
}
