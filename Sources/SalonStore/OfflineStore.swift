import Foundation

/// A message kept for a user who was offline (XEP-0160), with when it was stored.
public struct OfflineMessage: Sendable, Hashable {
    /// The serialised stanza, as given to `enqueue`.
    public var stanza: String
    /// When the store accepted it (for a XEP-0203 delay stamp).
    public var storedAt: Date

    /// Creates an offline message.
    public init(stanza: String, storedAt: Date) {
        self.stanza = stanza
        self.storedAt = storedAt
    }
}

/// Per-user queues of offline messages (XEP-0160), each bounded by the caller's limit, on
/// whichever backend the deployment uses (`SQLiteOfflineStore`, `PostgresOfflineStore`).
/// Every method is async and never blocks the caller.
public protocol OfflineStore: Sendable {
    /// Appends `stanza` to the owner's queue; returns false (storing nothing) when the queue
    /// already holds `limit` messages. Throws userNotFound for an unknown owner. Enqueues for
    /// one owner are serialised, so the limit holds and the order is the order of commits.
    func enqueue(owner: String, stanza: String, limit: Int) async throws -> Bool

    /// Returns and deletes the owner's queued messages with their storage times, oldest first;
    /// each message is returned by one drain only.
    func drainMessages(owner: String) async throws -> [OfflineMessage]

    /// How many messages wait in the owner's queue.
    func count(owner: String) async throws -> Int
}

extension OfflineStore {
    /// Returns and deletes the owner's queued stanzas, oldest first.
    public func drain(owner: String) async throws -> [String] {
        try await drainMessages(owner: owner).map(\.stanza)
    }

    /// Throws invalidArgument for a stanza neither backend can store (checked before either sees it).
    static func check(stanza: String) throws {
        try PostgresText.check(stanza, "offline stanza")
    }
}
