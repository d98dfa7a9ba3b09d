import GRDB

/// XEP-0357 push registrations: where each account's devices asked to be woken.
extension SalonSchema {
    /// One row per account, push service and node; `options` is the publish-options form the
    /// device gave (serialised XML) or NULL. Everything goes with the account.
    static func createPushRegistrations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE push_registrations (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                service TEXT NOT NULL,
                node TEXT NOT NULL,
                options TEXT,
                enabled_at INTEGER NOT NULL,
                PRIMARY KEY (owner, service, node)
            ) WITHOUT ROWID;
            """)
    }
}
