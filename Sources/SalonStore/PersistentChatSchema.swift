import GRDB

extension SalonSchema {
    /// Migration "v2-persistent-chat": the chat directory, room messages and invitations.
    ///
    /// Categories and add-ins carry a `key` column holding the directory's dictionary key (the
    /// lowercased name): SQLite's NOCASE folds ASCII only, so rows refer to a category by its
    /// key, which never changes, while names keep their written form. Lists keep the caller's
    /// order in a `position` column.
    static func createPersistentChat(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE chat_categories (
                name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                invitations INTEGER NOT NULL DEFAULT 0 CHECK (invitations IN (0, 1)),
                file_upload INTEGER NOT NULL DEFAULT 0 CHECK (file_upload IN (0, 1)),
                chat_history INTEGER NOT NULL DEFAULT 1 CHECK (chat_history IN (0, 1))
            ) WITHOUT ROWID;

            -- category holds the category's key.
            CREATE TABLE chat_category_principals (
                category TEXT NOT NULL REFERENCES chat_categories(key) ON DELETE CASCADE,
                list TEXT NOT NULL CHECK (list IN ('allowed', 'denied', 'creator')),
                principal TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (category, list, principal)
            ) WITHOUT ROWID;

            -- category is the room's reference as written; category_key is that category's key.
            CREATE TABLE chat_rooms (
                localpart TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL COLLATE NOCASE UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                category TEXT NOT NULL,
                category_key TEXT NOT NULL REFERENCES chat_categories(key) ON DELETE RESTRICT,
                type TEXT NOT NULL,
                privacy TEXT NOT NULL,
                invitations TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                -- Not a foreign key: what removing a used add-in means is the rules' decision.
                add_in TEXT,
                subject TEXT NOT NULL DEFAULT ''
            ) WITHOUT ROWID;
            CREATE INDEX chat_rooms_by_category ON chat_rooms(category_key);

            CREATE TABLE chat_room_roles (
                room TEXT NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
                role TEXT NOT NULL,
                principal TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (room, role, principal)
            ) WITHOUT ROWID;

            CREATE TABLE chat_addins (
                name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL
            ) WITHOUT ROWID;

            -- Group names are stored as the directory's keys (already lowercased).
            CREATE TABLE chat_groups (
                name TEXT NOT NULL PRIMARY KEY
            ) WITHOUT ROWID;

            CREATE TABLE chat_group_members (
                group_name TEXT NOT NULL REFERENCES chat_groups(name) ON DELETE CASCADE,
                member TEXT NOT NULL,
                PRIMARY KEY (group_name, member)
            ) WITHOUT ROWID;

            CREATE TABLE chat_admins (
                jid TEXT NOT NULL PRIMARY KEY
            ) WITHOUT ROWID;

            -- Per-user overrides; the global default lives in chat_settings.policy_enabled.
            CREATE TABLE chat_policy (
                user TEXT NOT NULL PRIMARY KEY,
                enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
            ) WITHOUT ROWID;

            -- One row once saved; until then the model's defaults apply.
            CREATE TABLE chat_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                default_chat_history INTEGER NOT NULL,
                max_file_size_kb INTEGER NOT NULL,
                participant_update_limit INTEGER NOT NULL,
                room_management_url TEXT NOT NULL,
                policy_enabled INTEGER NOT NULL CHECK (policy_enabled IN (0, 1))
            );

            CREATE TABLE chat_revision (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                revision INTEGER NOT NULL
            );
            INSERT INTO chat_revision (id, revision) VALUES (1, 0);

            -- No foreign key to chat_rooms: compliance may keep a deleted room's archive.
            CREATE TABLE room_messages (
                room TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                stanza_id TEXT NOT NULL UNIQUE,
                sender TEXT NOT NULL,
                nick TEXT NOT NULL,
                occupant_id TEXT NOT NULL,
                timestamp INTEGER NOT NULL,
                body TEXT NOT NULL,
                subject TEXT,
                stanza TEXT NOT NULL,
                PRIMARY KEY (room, sequence)
            );

            -- The last sequence number handed out per room; it survives deleteMessages so a
            -- room's sequence numbers never repeat (clients and caches may remember them).
            CREATE TABLE room_sequences (
                room TEXT NOT NULL PRIMARY KEY,
                last INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE chat_invitations (
                user TEXT NOT NULL,
                room TEXT NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
                PRIMARY KEY (user, room)
            ) WITHOUT ROWID;
            CREATE INDEX chat_invitations_by_room ON chat_invitations(room);

            CREATE TABLE chat_joins (
                user TEXT NOT NULL,
                room TEXT NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
                PRIMARY KEY (user, room)
            ) WITHOUT ROWID;
            CREATE INDEX chat_joins_by_room ON chat_joins(room);
            """)
    }
}
