/// Per-account blocklists (XEP-0191): the JIDs, as the caller normalised them, whose stanzas the
/// account refuses. Each list is bounded by the caller's limit. On whichever backend the
/// deployment uses (`SQLiteBlocklistStore`, `PostgresBlocklistStore`).
public protocol BlocklistStore: Sendable {
    /// The owner's blocked JIDs, sorted by their bytes.
    func items(owner: String) async throws -> [String]

    /// `items(owner:)` with its answer handed to `completion`: for the login, beside the roster.
    func items(owner: String, completion: @escaping @Sendable (Result<[String], any Error>) -> Void)

    /// Whether any of `candidates` (a sender's JID in the forms a blocklist item can take) is on
    /// the owner's list.
    func blocks(owner: String, anyOf candidates: [String]) async throws -> Bool

    /// Adds `jids` to the owner's list; returns the ones that were not on it. Throws
    /// limitReached (adding nothing) when the list would hold more than `limit`, userNotFound
    /// for an unknown owner.
    @discardableResult
    func block(owner: String, jids: [String], limit: Int) async throws -> [String]

    /// Removes `jids` from the owner's list; returns the ones that were on it, sorted.
    @discardableResult
    func unblock(owner: String, jids: [String]) async throws -> [String]

    /// Empties the owner's list; returns what it held.
    @discardableResult
    func unblockAll(owner: String) async throws -> [String]
}

extension BlocklistStore {
    /// Throws invalidArgument for a JID neither backend can store.
    static func check(jids: [String]) throws {
        for jid in jids { try PostgresText.check(jid, "blocked JID") }
    }
}
