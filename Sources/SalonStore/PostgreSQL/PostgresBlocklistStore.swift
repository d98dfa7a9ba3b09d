import PostgresNIO

/// `BlocklistStore` on PostgreSQL: the same rules as `SQLiteBlocklistStore`. A block locks the
/// owner's user row first, so the list's limit holds across nodes.
struct PostgresBlocklistStore: BlocklistStore {
    let access: PostgresAccess

    func items(owner: String) async throws -> [String] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.execute(ItemsOfOwner(owner: owner))
    }

    func items(owner: String, completion: @escaping @Sendable (Result<[String], any Error>) -> Void) {
        PostgresAccess.answer(completion) { try await items(owner: owner) }
    }

    func blocks(owner: String, anyOf candidates: [String]) async throws -> Bool {
        let candidates = candidates.filter(PostgresText.isStorable)
        guard !candidates.isEmpty, PostgresText.isStorable(owner) else { return false }
        return try await !access.execute(Blocks(owner: owner, candidates: candidates)).isEmpty
    }

    @discardableResult
    func block(owner: String, jids: [String], limit: Int) async throws -> [String] {
        try Self.check(jids: jids)
        return try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            let present = Set(try await transaction.query("SELECT jid FROM blocklist_items WHERE owner = \(owner)")
                .map { try $0.decode(String.self) })
            var added: [String] = []
            for jid in jids where !present.contains(jid) && !added.contains(jid) { added.append(jid) }
            guard present.count + added.count <= limit else {
                throw StoreError(.limitReached, "a blocklist holds at most \(limit) JIDs")
            }
            if !added.isEmpty {
                try await transaction.query("""
                    INSERT INTO blocklist_items (owner, jid) SELECT \(owner), unnest(\(added)::text[])
                    """)
            }
            return added
        }
    }

    @discardableResult
    func unblock(owner: String, jids: [String]) async throws -> [String] {
        let jids = Array(Set(jids.filter(PostgresText.isStorable)))
        guard !jids.isEmpty, PostgresText.isStorable(owner) else { return [] }
        return try await access.query("""
            DELETE FROM blocklist_items WHERE owner = \(owner) AND jid = ANY(\(jids)::text[]) RETURNING jid
            """).map { try $0.decode(String.self) }.sorted()
    }

    @discardableResult
    func unblockAll(owner: String) async throws -> [String] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.query("""
            WITH gone AS (DELETE FROM blocklist_items WHERE owner = \(owner) RETURNING jid)
            SELECT jid FROM gone ORDER BY jid
            """).map { try $0.decode(String.self) }
    }

    /// The list every login loads, parsed once per pooled connection.
    struct ItemsOfOwner: OwnerStatement {
        static let sql = "SELECT jid FROM blocklist_items WHERE owner = $1 ORDER BY jid"
        typealias Row = String
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(String.self)
        }
    }

    /// The check a stanza to a blocking account makes, parsed once per pooled connection.
    struct Blocks: PostgresPreparedStatement {
        static let sql = "SELECT 1 FROM blocklist_items WHERE owner = $1 AND jid = ANY($2) LIMIT 1"
        typealias Row = Int
        let owner: String
        let candidates: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(owner)
            bindings.append(candidates)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Int.self)
        }
    }
}
