import Foundation
import PostgresNIO

/// `OfflineStore` on PostgreSQL: the same rules as `SQLiteOfflineStore`. An enqueue locks the
/// owner's user row first, so enqueues for one owner run one at a time across nodes: the cap
/// holds and ids (the queue's order) grow in commit order.
struct PostgresOfflineStore: OfflineStore {
    let access: PostgresAccess

    func enqueue(owner: String, stanza: String, limit: Int) async throws -> Bool {
        try Self.check(stanza: stanza)
        let now = InputLimits.nowMilliseconds()
        return try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            guard limit > 0 else { return false }
            // A statement of its own after the lock: it sees what the enqueues it waited for committed.
            return try await !transaction.execute(Append(owner: owner, stanza: stanza, storedAt: now, limit: limit)).isEmpty
        }
    }

    func drainMessages(owner: String) async throws -> [OfflineMessage] {
        guard PostgresText.isStorable(owner) else { return [] }
        // One statement: two drains at once each take the rows the other did not.
        return try await access.execute(Drain(owner: owner))
            .sorted { $0.0 < $1.0 }
            .map { OfflineMessage(stanza: $0.1, storedAt: Date(timeIntervalSince1970: Double($0.2) / 1000)) }
    }

    func count(owner: String) async throws -> Int {
        guard PostgresText.isStorable(owner) else { return 0 }
        return try await access.query("SELECT count(*) FROM offline_messages WHERE owner = \(owner)")
            .first?.decode(Int.self) ?? 0
    }

    /// Every message stored offline, parsed once per pooled connection; no row when the queue is full.
    struct Append: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO offline_messages (owner, stanza, stored_at)
            SELECT $1, $2, $3 WHERE (SELECT count(*) FROM offline_messages WHERE owner = $1) < $4
            RETURNING id
            """
        typealias Row = Int64
        let owner: String
        let stanza: String
        let storedAt: Int64
        let limit: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(owner)
            bindings.append(stanza)
            bindings.append(storedAt)
            bindings.append(Int64(limit))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Int64.self)
        }
    }

    /// Every login's drain, parsed once per pooled connection.
    struct Drain: OwnerStatement {
        static let sql = "DELETE FROM offline_messages WHERE owner = $1 RETURNING id, stanza, stored_at"
        typealias Row = (Int64, String, Int64)
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }
}
