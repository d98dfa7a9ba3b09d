import Foundation
import GRDB

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

/// Per-user queues of offline messages (XEP-0160), each bounded by the caller's limit.
/// Every method is async and runs on GRDB's threads, never the caller's.
public struct OfflineStore: Sendable {
    let access: StoreAccess

    /// Appends `stanza` to the owner's queue; returns false (storing nothing) when the queue
    /// already holds `limit` messages. Throws userNotFound for an unknown owner.
    public func enqueue(owner: String, stanza: String, limit: Int) async throws -> Bool {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return try await access.write { db in
            try db.requireUser(owner)
            guard limit > 0, try Self.count(owner: owner, db) < limit else { return false }
            try db.execute(sql: "INSERT INTO offline_messages (owner, stanza, stored_at) VALUES (?, ?, ?)",
                           arguments: [owner, stanza, now])
            return true
        }
    }

    /// Returns and deletes the owner's queued stanzas, oldest first.
    public func drain(owner: String) async throws -> [String] {
        try await drainMessages(owner: owner).map(\.stanza)
    }

    /// Returns and deletes the owner's queued messages with their storage times, oldest first.
    public func drainMessages(owner: String) async throws -> [OfflineMessage] {
        try await access.write { db in
            let messages = try Row.fetchAll(db, sql: """
                SELECT stanza, stored_at FROM offline_messages WHERE owner = ? ORDER BY id
                """, arguments: [owner])
            .map { row in
                OfflineMessage(
                    stanza: try row.decode(String.self, forColumn: "stanza"),
                    storedAt: Date(timeIntervalSince1970: Double(try row.decode(Int64.self, forColumn: "stored_at")) / 1000))
            }
            try db.execute(sql: "DELETE FROM offline_messages WHERE owner = ?", arguments: [owner])
            return messages
        }
    }

    /// How many messages wait in the owner's queue.
    public func count(owner: String) async throws -> Int {
        try await access.read { db in try Self.count(owner: owner, db) }
    }

    private static func count(owner: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM offline_messages WHERE owner = ?", arguments: [owner]) ?? 0
    }
}
