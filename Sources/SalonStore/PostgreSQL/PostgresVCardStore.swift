import PostgresNIO

/// `VCardStore` on PostgreSQL: the same rules as `SQLiteVCardStore`.
struct PostgresVCardStore: VCardStore {
    let access: PostgresAccess

    func vCard(owner: String) async throws -> VCardEntry? {
        guard PostgresText.isStorable(owner) else { return nil }
        return try await access.query("SELECT xml, photo_hash FROM vcards WHERE owner = \(owner)").first.map { row in
            let (xml, photoHash) = try row.decode((String, String?).self)
            return VCardEntry(xml: xml, photoHash: photoHash)
        }
    }

    func photoHash(owner: String, completion: @escaping @Sendable (Result<String?, any Error>) -> Void) {
        PostgresAccess.answer(completion) {
            guard PostgresText.isStorable(owner) else { return nil }
            return try await access.execute(PhotoHash(owner: owner)).first
        }
    }

    func setVCard(owner: String, _ entry: VCardEntry) async throws {
        try entry.check()
        guard PostgresText.isStorable(owner) else { throw StoreError(.userNotFound, "no account \(owner)") }
        // Inserted from the user row: none when the account is absent.
        let written = try await access.query("""
            INSERT INTO vcards (owner, xml, photo_hash) SELECT jid, \(entry.xml), \(entry.photoHash) FROM users WHERE jid = \(owner)
            ON CONFLICT (owner) DO UPDATE SET xml = excluded.xml, photo_hash = excluded.photo_hash
            RETURNING owner
            """)
        guard !written.isEmpty else { throw StoreError(.userNotFound, "no account \(owner)") }
    }

    /// The hash every login sends in its presence, parsed once per pooled connection.
    struct PhotoHash: OwnerStatement {
        static let sql = "SELECT COALESCE(photo_hash, '') FROM vcards WHERE owner = $1"
        typealias Row = String
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(String.self)
        }
    }
}
