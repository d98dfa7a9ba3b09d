import Foundation
import GRDB

/// `OfflineStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteOfflineStore: OfflineStore {
    let access: StoreAccess

    func enqueue(owner: String, stanza: String, limit: Int) async throws -> Bool {
        try Self.check(stanza: stanza)
        let now = InputLimits.nowMilliseconds()
        return try await access.write { db in
            try db.requireUser(owner)
            guard limit > 0, try Self.count(owner: owner, db) < limit else { return false }
            try db.execute(sql: "INSERT INTO offline_messages (owner, stanza, stored_at) VALUES (?, ?, ?)",
                           arguments: [owner, stanza, now])
            return true
        }
    }

    func drainMessages(owner: String) async throws -> [OfflineMessage] {
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

    func count(owner: String) async throws -> Int {
        try await access.read { db in try Self.count(owner: owner, db) }
    }

    private static func count(owner: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM offline_messages WHERE owner = ?", arguments: [owner]) ?? 0
    }
}
