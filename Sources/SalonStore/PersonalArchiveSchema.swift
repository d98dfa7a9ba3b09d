import GRDB

extension SalonSchema {
    /// Migration "v11-personal-archive": each account's XEP-0313 archive of its 1:1 messages,
    /// shaped like the rooms' (`room_messages`) so one filter and pager serve both
    /// (`ArchiveTable`): archive order by `id`, per-account counts, an FTS5 index on bodies
    /// whose `owner_key` column holds the account as one exact token ("a" and its bytes in hex).
    /// Rows and preferences go with the account (foreign keys, ON DELETE CASCADE).
    static func createPersonalArchive(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE account_messages (
                id INTEGER PRIMARY KEY,
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                stanza_id TEXT NOT NULL UNIQUE,
                with_full TEXT NOT NULL,
                with_bare TEXT NOT NULL,
                outgoing INTEGER NOT NULL CHECK (outgoing IN (0, 1)),
                timestamp INTEGER NOT NULL,
                body TEXT NOT NULL,
                stanza TEXT NOT NULL,
                owner_key TEXT GENERATED ALWAYS AS ('a' || hex(owner)) VIRTUAL
            );
            CREATE INDEX account_messages_by_owner ON account_messages(owner);
            CREATE INDEX account_messages_by_time ON account_messages(owner, timestamp);
            CREATE INDEX account_messages_by_with ON account_messages(owner, with_bare);

            CREATE TABLE account_message_counts (
                owner TEXT NOT NULL PRIMARY KEY,
                total INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE VIRTUAL TABLE account_messages_fts USING fts5(
                body, owner_key, content = 'account_messages', content_rowid = 'id',
                tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);
            INSERT INTO account_messages_fts (account_messages_fts, rank) VALUES ('automerge', \(archiveAutomerge));

            CREATE TRIGGER account_messages_inserted AFTER INSERT ON account_messages BEGIN
                INSERT INTO account_messages_fts (rowid, body, owner_key) VALUES (new.id, new.body, 'a' || hex(new.owner));
                INSERT INTO account_message_counts (owner, total) VALUES (new.owner, 1)
                    ON CONFLICT (owner) DO UPDATE SET total = total + 1;
            END;
            CREATE TRIGGER account_messages_deleted AFTER DELETE ON account_messages BEGIN
                INSERT INTO account_messages_fts (account_messages_fts, rowid, body, owner_key)
                    VALUES ('delete', old.id, old.body, 'a' || hex(old.owner));
                UPDATE account_message_counts SET total = total - 1 WHERE owner = old.owner;
            END;
            -- The counts row itself goes with the account.
            CREATE TRIGGER account_message_counts_user_deleted AFTER DELETE ON users BEGIN
                DELETE FROM account_message_counts WHERE owner = old.jid;
            END;

            -- XEP-0441 preferences; no row means default 'always' and empty lists.
            CREATE TABLE archive_preferences (
                owner TEXT NOT NULL PRIMARY KEY REFERENCES users(jid) ON DELETE CASCADE,
                default_mode TEXT NOT NULL CHECK (default_mode IN ('always', 'never', 'roster'))
            ) WITHOUT ROWID;
            CREATE TABLE archive_preference_jids (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                jid TEXT NOT NULL,
                always INTEGER NOT NULL CHECK (always IN (0, 1)),
                PRIMARY KEY (owner, jid)
            ) WITHOUT ROWID;
            """)
    }
}
