/// `v3-personal-data`: the tables of the per-account stores on PostgreSQL. As on SQLite, every
/// row goes with its account (`REFERENCES users(jid) ON DELETE CASCADE`, PEP rows through
/// their node).
extension PostgresSchema {
    static let personalData = Migration(name: "v3-personal-data", statements: [
        // The identity is the queue's order: enqueues for one owner hold its user row, so ids
        // grow in commit order per owner.
        """
        CREATE TABLE offline_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            stanza text NOT NULL,
            stored_at bigint NOT NULL
        )
        """,
        "CREATE INDEX offline_messages_by_owner ON offline_messages (owner, id)",
        """
        CREATE TABLE blocklist_items (
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            jid text COLLATE "C" NOT NULL,
            PRIMARY KEY (owner, jid)
        )
        """,
        """
        CREATE TABLE vcards (
            owner text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES users(jid) ON DELETE CASCADE,
            xml text NOT NULL,
            photo_hash text
        )
        """,
    ])
}
