import GRDB

/// `VCardStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteVCardStore: VCardStore {
    let access: StoreAccess

    func vCard(owner: String) async throws -> VCardEntry? {
        try await access.lookUp { db in
            try Row.fetchOne(db, sql: "SELECT xml, photo_hash FROM vcards WHERE owner = ?", arguments: [owner]).map { row in
                VCardEntry(xml: try row.decode(String.self, forColumn: "xml"), photoHash: try row.decode(String?.self, forColumn: "photo_hash"))
            }
        }
    }

    func photoHash(owner: String, completion: @escaping @Sendable (Result<String?, any Error>) -> Void) {
        access.lookUp({ db in try Self.photoHash(owner: owner, db) }, completion: completion)
    }

    /// `photoHash(owner:)` inside the caller's access; the statement stays prepared.
    static func photoHash(owner: String, _ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(photo_hash, '') FROM vcards WHERE owner = ?"), arguments: [owner])
    }

    func setVCard(owner: String, _ entry: VCardEntry) async throws {
        try entry.check()
        try await access.write { db in
            try db.requireUser(owner)
            try db.execute(sql: """
                INSERT INTO vcards (owner, xml, photo_hash) VALUES (?, ?, ?)
                ON CONFLICT (owner) DO UPDATE SET xml = excluded.xml, photo_hash = excluded.photo_hash
                """, arguments: [owner, entry.xml, entry.photoHash])
        }
    }
}
