import GRDB

/// Tables of the instant-messaging extensions: blocklists (XEP-0191) and vCards (XEP-0054).
extension SalonSchema {
    static func createBlocklist(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE blocklist_items (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                jid TEXT NOT NULL,
                PRIMARY KEY (owner, jid)
            ) WITHOUT ROWID;
            """)
    }

    static func createVCards(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vcards (
                owner TEXT NOT NULL PRIMARY KEY REFERENCES users(jid) ON DELETE CASCADE,
                xml TEXT NOT NULL,
                photo_hash TEXT
            ) WITHOUT ROWID;
            """)
    }
}
