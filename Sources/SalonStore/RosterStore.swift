/// Per-user rosters with a version that grows with every change (RFC 6121 §2.6 roster
/// versioning), on whichever backend the deployment uses (`SQLiteRosterStore`,
/// `PostgresRosterStore`). Every method is async and never blocks the caller.
public protocol RosterStore: Sendable {
    /// The owner's roster, sorted by contact JID (empty for an unknown owner).
    func items(owner: String) async throws -> [RosterItem]

    /// `items(owner:)` with its answer handed to `completion`: the cheapest way a backend has
    /// to answer, for the roster every login loads.
    func items(owner: String, completion: @escaping @Sendable (Result<[RosterItem], any Error>) -> Void)

    /// The owner's item for contact `jid`, or nil.
    func item(owner: String, jid: String) async throws -> RosterItem?

    /// Adds or replaces the owner's item for `item.jid` and returns the new roster version;
    /// throws userNotFound for an unknown owner and invalidArgument for a malformed item.
    /// With `maxItems`, adding a new contact to a roster that already holds that many throws
    /// limitReached (checked in the same transaction, so concurrent sets cannot overshoot).
    func upsert(owner: String, item: RosterItem, maxItems: Int?) async throws -> Int

    /// Removes the owner's item for contact `jid` and returns the new roster version, or nil if it was absent.
    func remove(owner: String, jid: String) async throws -> Int?

    /// The owner's current roster version: 0 before any change.
    func version(owner: String) async throws -> Int
}

extension RosterStore {
    /// `upsert(owner:item:maxItems:)` without a cap.
    public func upsert(owner: String, item: RosterItem) async throws -> Int {
        try await upsert(owner: owner, item: item, maxItems: nil)
    }
}
