import GRDB

/// Per-account data clients keep on the server: XEP-0049 private XML.
extension SalonSchema {
    /// One stored element per account and namespace (XEP-0049), kept as serialised XML.
    static func createPrivateStorage(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE private_xml (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                namespace TEXT NOT NULL,
                element TEXT NOT NULL,
                PRIMARY KEY (owner, namespace)
            ) WITHOUT ROWID;
            """)
    }
}
