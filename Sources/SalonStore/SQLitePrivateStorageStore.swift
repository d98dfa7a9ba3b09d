import GRDB

/// `PrivateStorageStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLitePrivateStorageStore: PrivateStorageStore {
    let access: StoreAccess

    func element(owner: String, namespace: String) async throws -> String? {
        try await access.read { db in
            try String.fetchOne(db, sql: "SELECT element FROM private_xml WHERE owner = ? AND namespace = ?",
                                arguments: [owner, namespace])
        }
    }

    func store(owner: String, elements: [(namespace: String, element: String)], limits: PrivateStorageLimits) async throws {
        try Self.check(elements: elements)
        let pairs = elements.map { [$0.namespace, $0.element] }
        try await access.write { db in
            try db.requireUser(owner)
            for pair in pairs {
                try db.execute(sql: """
                    INSERT INTO private_xml (owner, namespace, element) VALUES (?, ?, ?)
                    ON CONFLICT (owner, namespace) DO UPDATE SET element = excluded.element
                    """, arguments: [owner, pair[0], pair[1]])
            }
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(element AS BLOB))), 0) AS bytes FROM private_xml WHERE owner = ?",
                                       arguments: [owner])
            if let excess = Self.excess(owner: owner, count: row?["n"] ?? 0, bytes: row?["bytes"] ?? 0, limits: limits) {
                throw excess
            }
        }
    }
}
