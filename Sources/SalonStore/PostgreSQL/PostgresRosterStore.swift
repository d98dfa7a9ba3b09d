import PostgresNIO

/// `RosterStore` on PostgreSQL: the same rules as `SQLiteRosterStore`. Groups are a text[]
/// (SQLite keeps them as JSON text); every write locks the owner's user row first, so one
/// owner's roster changes one at a time across nodes, as SQLite's single writer does.
struct PostgresRosterStore: RosterStore {
    let access: PostgresAccess

    func items(owner: String) async throws -> [RosterItem] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.execute(ItemsOfOwner(owner: owner)).map(Self.item(from:))
    }

    func items(owner: String, completion: @escaping @Sendable (Result<[RosterItem], any Error>) -> Void) {
        Task {
            do {
                completion(.success(try await items(owner: owner)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    func item(owner: String, jid: String) async throws -> RosterItem? {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(jid) else { return nil }
        return try await access.query("""
            SELECT jid, name, subscription, ask, groups FROM roster_items WHERE owner = \(owner) AND jid = \(jid)
            """).first.map { try Self.item(from: $0.decode(ItemsOfOwner.Row.self)) }
    }

    func upsert(owner: String, item: RosterItem, maxItems: Int?) async throws -> Int {
        try item.validate()
        guard PostgresText.isStorable(owner) else { throw StoreError(.userNotFound, "no account \(owner)") }
        return try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            if let maxItems {
                let present = try await !transaction.query("""
                    SELECT 1 FROM roster_items WHERE owner = \(owner) AND jid = \(item.jid)
                    """).isEmpty
                let count = try await transaction.query("SELECT count(*) FROM roster_items WHERE owner = \(owner)")
                    .first?.decode(Int.self) ?? 0
                if !present, count >= maxItems {
                    throw StoreError(.limitReached, "the roster of \(owner) already holds \(count) items, the most allowed")
                }
            }
            try await transaction.query("""
                INSERT INTO roster_items (owner, jid, name, subscription, ask, groups)
                VALUES (\(owner), \(item.jid), \(item.name), \(item.subscription), \(item.ask), \(item.groups))
                ON CONFLICT (owner, jid) DO UPDATE SET
                    name = excluded.name, subscription = excluded.subscription,
                    ask = excluded.ask, groups = excluded.groups
                """)
            return try await Self.bumpVersion(owner: owner, transaction)
        }
    }

    func remove(owner: String, jid: String) async throws -> Int? {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(jid) else { return nil }
        return try await access.transaction { transaction in
            let removed = try await transaction.query("""
                DELETE FROM roster_items WHERE owner = \(owner) AND jid = \(jid) RETURNING jid
                """)
            guard !removed.isEmpty else { return nil }
            return try await Self.bumpVersion(owner: owner, transaction)
        }
    }

    func version(owner: String) async throws -> Int {
        guard PostgresText.isStorable(owner) else { return 0 }
        return try await access.query("SELECT version FROM roster_versions WHERE owner = \(owner)")
            .first?.decode(Int.self) ?? 0
    }

    // MARK: - Rows

    /// Increments the owner's roster version inside the caller's transaction and returns it.
    @discardableResult
    static func bumpVersion(owner: String, _ transaction: PostgresAccess.Transaction) async throws -> Int {
        let rows = try await transaction.query("""
            INSERT INTO roster_versions (owner, version) VALUES (\(owner), 1)
            ON CONFLICT (owner) DO UPDATE SET version = roster_versions.version + 1
            RETURNING version
            """)
        guard let version = try rows.first?.decode(Int.self) else {
            throw StoreError(.other, "roster version of \(owner) vanished inside its transaction")
        }
        return version
    }

    /// The roster every login loads, parsed once per pooled connection.
    struct ItemsOfOwner: OwnerStatement {
        static let sql = """
            SELECT jid, name, subscription, ask, groups FROM roster_items WHERE owner = $1 ORDER BY jid
            """
        typealias Row = (String, String?, String, Bool, [String])
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    static func item(from row: ItemsOfOwner.Row) -> RosterItem {
        RosterItem(jid: row.0, name: row.1, subscription: row.2, ask: row.3, groups: row.4)
    }
}
