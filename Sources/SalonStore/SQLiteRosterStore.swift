import Foundation
import GRDB

/// `RosterStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteRosterStore: RosterStore {
    let access: StoreAccess

    /// The owner's roster, sorted by contact JID (empty for an unknown owner).
    func items(owner: String) async throws -> [RosterItem] {
        try await access.lookUp { db in try Self.items(owner: owner, db) }
    }

    /// `items(owner:)`, answered on a GRDB thread: the cheapest way for a login.
    func items(owner: String, completion: @escaping @Sendable (Result<[RosterItem], any Error>) -> Void) {
        access.lookUp({ db in try Self.items(owner: owner, db) }, completion: completion)
    }

    static func items(owner: String, _ db: Database) throws -> [RosterItem] {
        let statement = try db.cachedStatement(sql: """
            SELECT jid, name, subscription, ask, groups FROM roster_items
            WHERE owner = ? ORDER BY jid
            """)
        return try Row.fetchAll(statement, arguments: [owner]).map(item(from:))
    }

    /// The owner's item for contact `jid`, or nil.
    func item(owner: String, jid: String) async throws -> RosterItem? {
        try await access.read { db in
            try Row.fetchOne(db, sql: """
                SELECT jid, name, subscription, ask, groups FROM roster_items
                WHERE owner = ? AND jid = ?
                """, arguments: [owner, jid])
            .map(Self.item(from:))
        }
    }

    /// Adds or replaces the owner's item for `item.jid` and returns the new roster version;
    /// throws userNotFound for an unknown owner and invalidArgument for a malformed item.
    /// With `maxItems`, adding a new contact to a roster that already holds that many throws
    /// limitReached (checked in the same transaction, so concurrent sets cannot overshoot).
    func upsert(owner: String, item: RosterItem, maxItems: Int?) async throws -> Int {
        try item.validate()
        let groups = try Self.encodeGroups(item.groups)
        return try await access.write { db in
            try db.requireUser(owner)
            if let maxItems {
                try Self.checkRoom(for: item.jid, owner: owner, maxItems: maxItems, db)
            }
            try db.execute(sql: """
                INSERT INTO roster_items (owner, jid, name, subscription, ask, groups)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (owner, jid) DO UPDATE SET
                    name = excluded.name, subscription = excluded.subscription,
                    ask = excluded.ask, groups = excluded.groups
                """, arguments: [owner, item.jid, item.name, item.subscription, item.ask, groups])
            return try Self.bumpVersion(owner: owner, db)
        }
    }

    /// Removes the owner's item for contact `jid` and returns the new roster version, or nil if it was absent.
    func remove(owner: String, jid: String) async throws -> Int? {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM roster_items WHERE owner = ? AND jid = ?", arguments: [owner, jid])
            guard db.changesCount > 0 else { return nil }
            return try Self.bumpVersion(owner: owner, db)
        }
    }

    /// The owner's current roster version: 0 before any change.
    func version(owner: String) async throws -> Int {
        try await access.read { db in
            try Int.fetchOne(db, sql: "SELECT version FROM roster_versions WHERE owner = ?", arguments: [owner]) ?? 0
        }
    }

    // MARK: - Rows

    /// Throws limitReached when `jid` is not on the roster yet and the roster is full.
    private static func checkRoom(for jid: String, owner: String, maxItems: Int, _ db: Database) throws {
        let present = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM roster_items WHERE owner = ? AND jid = ?)",
                                        arguments: [owner, jid]) ?? false
        guard !present else { return }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM roster_items WHERE owner = ?", arguments: [owner]) ?? 0
        if count >= maxItems {
            throw StoreError(.limitReached, "the roster of \(owner) already holds \(count) items, the most allowed")
        }
    }

    /// Increments the owner's roster version inside the caller's transaction and returns it.
    @discardableResult
    static func bumpVersion(owner: String, _ db: Database) throws -> Int {
        try db.execute(sql: """
            INSERT INTO roster_versions (owner, version) VALUES (?, 1)
            ON CONFLICT (owner) DO UPDATE SET version = version + 1
            """, arguments: [owner])
        guard let version = try Int.fetchOne(db, sql: "SELECT version FROM roster_versions WHERE owner = ?",
                                             arguments: [owner]) else {
            throw StoreError(.other, "roster version of \(owner) vanished inside its transaction")
        }
        return version
    }

    /// Groups as SQLite keeps them: a JSON array of strings.
    static func encodeGroups(_ groups: [String]) throws -> String {
        let data = try JSONEncoder().encode(groups)
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(.other, "roster groups did not encode as UTF-8 JSON")
        }
        return text
    }

    private static func item(from row: Row) throws -> RosterItem {
        let jid = try row.decode(String.self, forColumn: "jid")
        let groupsJSON = try row.decode(String.self, forColumn: "groups")
        let groups: [String]
        do {
            groups = try JSONDecoder().decode([String].self, from: Data(groupsJSON.utf8))
        } catch {
            throw StoreError(.other, "roster item \(jid) has malformed groups JSON: \(error)")
        }
        return RosterItem(
            jid: jid,
            name: try row.decode(String?.self, forColumn: "name"),
            subscription: try row.decode(String.self, forColumn: "subscription"),
            ask: try row.decode(Bool.self, forColumn: "ask"),
            groups: groups)
    }
}
