import PostgresNIO

/// `PrivateStorageStore` on PostgreSQL: the same rules as `SQLitePrivateStorageStore`. A store
/// locks the owner's user row first, so the account's limits hold across nodes.
struct PostgresPrivateStorageStore: PrivateStorageStore {
    let access: PostgresAccess

    func element(owner: String, namespace: String) async throws -> String? {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(namespace) else { return nil }
        return try await access.query("""
            SELECT element FROM private_xml WHERE owner = \(owner) AND namespace = \(namespace)
            """).first?.decode(String.self)
    }

    func store(owner: String, elements: [(namespace: String, element: String)], limits: PrivateStorageLimits) async throws {
        try Self.check(elements: elements)
        let pairs = elements.map { ($0.namespace, $0.element) }
        try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            for (namespace, element) in pairs {
                try await transaction.query("""
                    INSERT INTO private_xml (owner, namespace, element) VALUES (\(owner), \(namespace), \(element))
                    ON CONFLICT (owner, namespace) DO UPDATE SET element = excluded.element
                    """)
            }
            let totals = try await transaction.query("""
                SELECT count(*), COALESCE(sum(octet_length(element)), 0)::bigint FROM private_xml WHERE owner = \(owner)
                """).first?.decode((Int, Int).self) ?? (0, 0)
            if let excess = Self.excess(owner: owner, count: totals.0, bytes: totals.1, limits: limits) {
                throw excess
            }
        }
    }
}
