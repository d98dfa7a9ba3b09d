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
        """
        CREATE TABLE private_xml (
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            namespace text COLLATE "C" NOT NULL,
            element text NOT NULL,
            PRIMARY KEY (owner, namespace)
        )
        """,
        """
        CREATE TABLE pep_nodes (
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            node text COLLATE "C" NOT NULL,
            access_model text NOT NULL,
            max_items bigint NOT NULL CHECK (max_items >= 0),
            persist_items boolean NOT NULL,
            send_last_published_item text NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (owner, node)
        )
        """,
        // The newest item of a node has the largest seq.
        """
        CREATE TABLE pep_items (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            owner text COLLATE "C" NOT NULL,
            node text COLLATE "C" NOT NULL,
            item_id text COLLATE "C" NOT NULL,
            payload text NOT NULL,
            publisher text,
            published_at bigint NOT NULL,
            FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
        )
        """,
        "CREATE UNIQUE INDEX pep_items_by_id ON pep_items (owner, node, item_id)",
        "CREATE INDEX pep_items_by_node ON pep_items (owner, node, seq)",
        // Who holds an item, ids compared without ASCII case (SQLite's NOCASE): lower() under "C".
        "CREATE INDEX pep_items_by_item_id ON pep_items (node, lower(item_id))",
        """
        CREATE TABLE pep_subscriptions (
            owner text COLLATE "C" NOT NULL,
            node text COLLATE "C" NOT NULL,
            jid text COLLATE "C" NOT NULL,
            PRIMARY KEY (owner, node, jid),
            FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE pep_affiliations (
            owner text COLLATE "C" NOT NULL,
            node text COLLATE "C" NOT NULL,
            jid text COLLATE "C" NOT NULL,
            affiliation text NOT NULL CHECK (affiliation IN ('member', 'outcast')),
            PRIMARY KEY (owner, node, jid),
            FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX pep_affiliations_by_jid ON pep_affiliations (jid, owner)",
        """
        CREATE TABLE push_registrations (
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            service text COLLATE "C" NOT NULL,
            node text COLLATE "C" NOT NULL,
            options text,
            enabled_at bigint NOT NULL,
            PRIMARY KEY (owner, service, node)
        )
        """,
        """
        CREATE TABLE web_sessions (
            token_hash text COLLATE "C" NOT NULL PRIMARY KEY,
            account text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL
        )
        """,
        "CREATE INDEX web_sessions_by_account ON web_sessions (account, created_at)",
        "CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at)",
    ])
}
