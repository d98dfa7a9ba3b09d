import GRDB

/// Per-account data clients keep on the server: XEP-0049 private XML and XEP-0163 PEP nodes.
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

    /// PEP nodes with their configuration, their items (newest has the largest `seq`) and
    /// explicit subscriptions. Everything goes with the account.
    static func createPEPNodes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pep_nodes (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                node TEXT NOT NULL,
                access_model TEXT NOT NULL,
                max_items INTEGER NOT NULL CHECK (max_items >= 0),
                persist_items INTEGER NOT NULL CHECK (persist_items IN (0, 1)),
                send_last_published_item TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (owner, node)
            ) WITHOUT ROWID;

            CREATE TABLE pep_items (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                owner TEXT NOT NULL,
                node TEXT NOT NULL,
                item_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                publisher TEXT,
                published_at INTEGER NOT NULL,
                FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
            );
            CREATE UNIQUE INDEX pep_items_by_id ON pep_items(owner, node, item_id);
            CREATE INDEX pep_items_by_node ON pep_items(owner, node, seq);

            CREATE TABLE pep_subscriptions (
                owner TEXT NOT NULL,
                node TEXT NOT NULL,
                jid TEXT NOT NULL,
                PRIMARY KEY (owner, node, jid),
                FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
            ) WITHOUT ROWID;
            """)
    }

    /// Items found by id across accounts (which accounts bookmarked a room), ids compared
    /// without case as JIDs' domains and localparts are.
    static func indexPEPItemsByItemID(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX pep_items_by_item_id ON pep_items(node, item_id COLLATE NOCASE)")
    }
}

extension SalonSchema {
    /// Affiliations an owner gives others on a PEP node (XEP-0060 §8.9): `member` (may read a
    /// whitelist node) or `outcast` (may read none). They go with the node.
    static func createPEPAffiliations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pep_affiliations (
                owner TEXT NOT NULL,
                node TEXT NOT NULL,
                jid TEXT NOT NULL,
                affiliation TEXT NOT NULL CHECK (affiliation IN ('member', 'outcast')),
                PRIMARY KEY (owner, node, jid),
                FOREIGN KEY (owner, node) REFERENCES pep_nodes(owner, node) ON DELETE CASCADE
            ) WITHOUT ROWID;
            CREATE INDEX pep_affiliations_by_jid ON pep_affiliations(jid, owner);
            """)
    }
}
