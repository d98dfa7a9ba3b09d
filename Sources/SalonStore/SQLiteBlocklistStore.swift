import GRDB

/// `BlocklistStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteBlocklistStore: BlocklistStore {
    let access: StoreAccess

    /// The owner's blocked JIDs, sorted.
    func items(owner: String) async throws -> [String] {
        try await access.lookUp { db in try Self.items(owner: owner, db) }
    }

    /// `items(owner:)`, answered on a GRDB thread: for the login, beside the roster.
    func items(owner: String, completion: @escaping @Sendable (Result<[String], any Error>) -> Void) {
        access.lookUp({ db in try Self.items(owner: owner, db) }, completion: completion)
    }

    static func items(owner: String, _ db: Database) throws -> [String] {
        let statement = try db.cachedStatement(sql: "SELECT jid FROM blocklist_items WHERE owner = ? ORDER BY jid")
        return try String.fetchAll(statement, arguments: [owner])
    }

    /// Whether any of `candidates` (a sender's JID in the forms a blocklist item can take) is on
    /// the owner's list.
    func blocks(owner: String, anyOf candidates: [String]) async throws -> Bool {
        guard !candidates.isEmpty else { return false }
        return try await access.lookUp { db in
            let marks = Array(repeating: "?", count: candidates.count).joined(separator: ", ")
            return try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM blocklist_items WHERE owner = ? AND jid IN (\(marks)))",
                                     arguments: StatementArguments([owner] + candidates)) ?? false
        }
    }

    /// Adds `jids` to the owner's list; returns the ones that were not on it. Throws
    /// limitReached (adding nothing) when the list would hold more than `limit`, userNotFound
    /// for an unknown owner.
    @discardableResult
    func block(owner: String, jids: [String], limit: Int) async throws -> [String] {
        try Self.check(jids: jids)
        return try await access.write { db in
            try db.requireUser(owner)
            let present = Set(try Self.items(owner: owner, db))
            var added: [String] = []
            for jid in jids where !present.contains(jid) && !added.contains(jid) { added.append(jid) }
            guard present.count + added.count <= limit else {
                throw StoreError(.limitReached, "a blocklist holds at most \(limit) JIDs")
            }
            for jid in added {
                try db.execute(sql: "INSERT INTO blocklist_items (owner, jid) VALUES (?, ?)", arguments: [owner, jid])
            }
            return added
        }
    }

    /// Removes `jids` from the owner's list; returns the ones that were on it.
    @discardableResult
    func unblock(owner: String, jids: [String]) async throws -> [String] {
        try await access.write { db in
            var removed: [String] = []
            for jid in Set(jids) {
                try db.execute(sql: "DELETE FROM blocklist_items WHERE owner = ? AND jid = ?", arguments: [owner, jid])
                if db.changesCount > 0 { removed.append(jid) }
            }
            return removed.sorted()
        }
    }

    /// Empties the owner's list; returns what it held.
    @discardableResult
    func unblockAll(owner: String) async throws -> [String] {
        try await access.write { db in
            let all = try Self.items(owner: owner, db)
            try db.execute(sql: "DELETE FROM blocklist_items WHERE owner = ?", arguments: [owner])
            return all
        }
    }
}
