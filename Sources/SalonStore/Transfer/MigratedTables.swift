/// Which of salon.sqlite's tables `salon storage migrate` copies, and how. Every table of the
/// SQLite schema is in exactly one of the three lists below (MigrateCoverageTests fails
/// otherwise), so a table added to the schema cannot be silently left behind.
public enum MigratedTables {
    /// A table the generic copier moves row by row (`TableCopier`): its columns are the same on
    /// both backends, only their types differ (0/1 integers become booleans, times bigint).
    public struct Table: Sendable {
        public var name: String
        /// Every stored column, in SQLite's order. Generated columns are not listed: each side computes its own.
        public var columns: [String]
        /// A unique key: the order of keyset pages and of the digest on both sides.
        public var key: [String]
    }

    /// In foreign-key order: a table comes after the tables it references (users, chat_rooms
    /// and pep_nodes are written first, by the import or earlier in this list).
    public static let copied: [Table] = [
        // Uploads, posted or not, with their state (claimed, revoked, deleted): no foreign key.
        Table(name: "files", columns: ["id", "uploader", "name", "size", "content_type", "created_at", "expires_at",
                                       "completed_at", "sha256", "room", "stanza_id", "claimed_at", "revoked_at", "deleted_at"],
              key: ["id"]),
        Table(name: "file_downloads", columns: ["id", "file_id", "room", "account", "time", "range_start", "range_end"], key: ["id"]),
        // The journal with its hashes and export markers as they are: inserts pass its append-only triggers.
        Table(name: "compliance_events", columns: ["seq", "time", "type", "actor_bare", "actor_full", "room", "payload",
                                                   "prev_hash", "hash", "exported_at"], key: ["seq"]),
        Table(name: "compliance_settings", columns: ["key", "value"], key: ["key"]),
        Table(name: "compliance_exports", columns: ["id", "first_seq", "last_seq", "started_at", "finished_at", "files"], key: ["id"]),
        Table(name: "offline_messages", columns: ["id", "owner", "stanza", "stored_at"], key: ["id"]),
        Table(name: "blocklist_items", columns: ["owner", "jid"], key: ["owner", "jid"]),
        Table(name: "vcards", columns: ["owner", "xml", "photo_hash"], key: ["owner"]),
        Table(name: "private_xml", columns: ["owner", "namespace", "element"], key: ["owner", "namespace"]),
        Table(name: "pep_nodes", columns: ["owner", "node", "access_model", "max_items", "persist_items",
                                           "send_last_published_item", "created_at"], key: ["owner", "node"]),
        Table(name: "pep_items", columns: ["seq", "owner", "node", "item_id", "payload", "publisher", "published_at"], key: ["seq"]),
        Table(name: "pep_subscriptions", columns: ["owner", "node", "jid"], key: ["owner", "node", "jid"]),
        Table(name: "pep_affiliations", columns: ["owner", "node", "jid", "affiliation"], key: ["owner", "node", "jid"]),
        Table(name: "push_registrations", columns: ["owner", "service", "node", "options", "enabled_at"],
              key: ["owner", "service", "node"]),
        Table(name: "web_sessions", columns: ["token_hash", "account", "created_at", "expires_at"], key: ["token_hash"]),
        Table(name: "chat_invitations", columns: ["user", "room"], key: ["user", "room"]),
        Table(name: "chat_joins", columns: ["user", "room"], key: ["user", "room"]),
        Table(name: "chat_room_vcards", columns: ["room", "xml", "photo_hash"], key: ["room"]),
        Table(name: "archive_preferences", columns: ["owner", "default_mode"], key: ["owner"]),
        Table(name: "archive_preference_jids", columns: ["owner", "jid", "always"], key: ["owner", "jid"]),
    ]

    /// Tables the service import copies first (`SalonDatabase.snapshotImport`), because the two
    /// schemas shape them differently; they are compared through their export documents
    /// (`TransferDigest`), which both backends write alike.
    public static let copiedByImport: [String: String] = [
        "users": "accounts: the import creates them",
        "credentials": "with their accounts",
        "roster_items": "with their accounts (groups are JSON text on SQLite, text[] on PostgreSQL)",
        "roster_versions": "the import bumps each roster's version, so clients refetch",
        "chat_categories": "the directory, saved whole", "chat_category_principals": "the directory",
        "chat_rooms": "the directory", "chat_room_roles": "the directory", "chat_addins": "the directory",
        "chat_groups": "the directory", "chat_group_members": "the directory", "chat_admins": "the directory",
        "chat_policy": "the directory", "chat_settings": "the directory",
        "chat_revision": "a counter every directory save bumps, the import's save included",
        "chat_content_revisions": "the import marks imported rooms' content as changed",
        "room_messages": "the archive: PostgreSQL builds its own search column and ids",
        "room_sequences": "PostgreSQL's room_counters.last_sequence, kept by the archive insert",
        "room_message_counts": "PostgreSQL's room_counters.total, kept by the archive insert",
        "account_messages": "the personal archive: PostgreSQL builds its own search column and ids",
        "account_message_counts": "kept by PostgreSQL's triggers on account_messages",
        "metadata": "copied key by key (the server's secrets), never overwriting the target's",
    ]

    /// Tables deliberately left behind, with the reason.
    public static let notCopied: [String: String] = [
        "grdb_migrations": "SQLite's migration bookkeeping; PostgreSQL keeps its own (salon_migrations)",
        "room_messages_fts": "SQLite's full-text index; PostgreSQL indexes room messages as they are inserted",
        "room_messages_fts_through": "how far SQLite's full-text index has caught up",
        "account_messages_fts": "SQLite's full-text index; PostgreSQL indexes personal messages as they are inserted",
    ]

    /// Internal tables SQLite keeps for a full-text index (`<index>_data`, `_idx`, …) and its
    /// own (`sqlite_sequence`): part of their owner, not of Salon's schema.
    public static func isInternal(_ table: String) -> Bool {
        if table.hasPrefix("sqlite_") { return true }
        return notCopied.keys.filter { $0.hasSuffix("_fts") }.contains { index in
            ["_data", "_idx", "_content", "_docsize", "_config"].contains { table == index + $0 }
        }
    }
}
