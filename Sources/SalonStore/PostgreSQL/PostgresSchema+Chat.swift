/// Migration "v4-chat": the chat directory with its revision, invitations and joins, room
/// vCards, and the compliance journal, as SQLite has them (`PersistentChatSchema`, later
/// additions in `SalonSchema`, `ComplianceSchema`). Room messages are the archive's migration.
///
/// Names SQLite keeps unique under NOCASE (categories, rooms, add-ins) are unique here by
/// `lower(name)` on "C" text, which folds ASCII only, as NOCASE does. Booleans are boolean
/// (0/1 integers on SQLite), counters and times bigint.
extension PostgresSchema {
    static let chat = Migration(name: "v4-chat", statements: [
        """
        CREATE TABLE chat_categories (
            key text COLLATE "C" NOT NULL PRIMARY KEY,
            name text COLLATE "C" NOT NULL,
            description text NOT NULL DEFAULT '',
            invitations boolean NOT NULL DEFAULT false,
            file_upload boolean NOT NULL DEFAULT false,
            chat_history boolean NOT NULL DEFAULT true
        )
        """,
        "CREATE UNIQUE INDEX chat_categories_by_name ON chat_categories (lower(name))",
        """
        CREATE TABLE chat_category_principals (
            category text COLLATE "C" NOT NULL REFERENCES chat_categories(key) ON DELETE CASCADE,
            list text COLLATE "C" NOT NULL CHECK (list IN ('allowed', 'denied', 'creator')),
            principal text COLLATE "C" NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (category, list, principal)
        )
        """,
        // category is the room's reference as written; category_key is that category's key.
        """
        CREATE TABLE chat_rooms (
            localpart text COLLATE "C" NOT NULL PRIMARY KEY,
            name text COLLATE "C" NOT NULL,
            description text NOT NULL DEFAULT '',
            category text NOT NULL,
            category_key text COLLATE "C" NOT NULL REFERENCES chat_categories(key) ON DELETE RESTRICT,
            type text NOT NULL,
            privacy text NOT NULL,
            invitations text NOT NULL,
            disabled boolean NOT NULL DEFAULT false,
            add_in text,
            subject text NOT NULL DEFAULT '',
            created_by text COLLATE "C",
            subject_author text
        )
        """,
        "CREATE UNIQUE INDEX chat_rooms_by_name ON chat_rooms (lower(name))",
        "CREATE INDEX chat_rooms_by_category ON chat_rooms (category_key)",
        """
        CREATE TABLE chat_room_roles (
            room text COLLATE "C" NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
            role text COLLATE "C" NOT NULL,
            principal text COLLATE "C" NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (room, role, principal)
        )
        """,
        """
        CREATE TABLE chat_addins (
            key text COLLATE "C" NOT NULL PRIMARY KEY,
            name text COLLATE "C" NOT NULL,
            url text NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX chat_addins_by_name ON chat_addins (lower(name))",
        """
        CREATE TABLE chat_groups (
            name text COLLATE "C" NOT NULL PRIMARY KEY
        )
        """,
        """
        CREATE TABLE chat_group_members (
            group_name text COLLATE "C" NOT NULL REFERENCES chat_groups(name) ON DELETE CASCADE,
            member text COLLATE "C" NOT NULL,
            PRIMARY KEY (group_name, member)
        )
        """,
        """
        CREATE TABLE chat_admins (
            jid text COLLATE "C" NOT NULL PRIMARY KEY,
            role text NOT NULL DEFAULT 'chat' CHECK (role IN ('chat', 'server'))
        )
        """,
        // Per-user overrides; the global default lives in chat_settings.policy_enabled.
        """
        CREATE TABLE chat_policy (
            "user" text COLLATE "C" NOT NULL PRIMARY KEY,
            enabled boolean NOT NULL
        )
        """,
        // One row once saved; until then the model's defaults apply.
        """
        CREATE TABLE chat_settings (
            id integer PRIMARY KEY CHECK (id = 1),
            default_chat_history bigint NOT NULL,
            max_file_size_kb bigint NOT NULL,
            participant_update_limit bigint NOT NULL,
            room_management_url text NOT NULL,
            policy_enabled boolean NOT NULL,
            max_rooms_per_creator bigint NOT NULL DEFAULT 100 CHECK (max_rooms_per_creator >= 0)
        )
        """,
        // One row: every save bumps it, holding its lock until it commits (nodes save in turn).
        """
        CREATE TABLE chat_revision (
            id integer PRIMARY KEY CHECK (id = 1),
            revision bigint NOT NULL
        )
        """,
        "INSERT INTO chat_revision (id, revision) VALUES (1, 0)",
        """
        CREATE TABLE chat_content_revisions (
            room text COLLATE "C" NOT NULL PRIMARY KEY,
            revision bigint NOT NULL
        )
        """,
        """
        CREATE TABLE chat_invitations (
            "user" text COLLATE "C" NOT NULL,
            room text COLLATE "C" NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
            PRIMARY KEY ("user", room)
        )
        """,
        "CREATE INDEX chat_invitations_by_room ON chat_invitations (room)",
        """
        CREATE TABLE chat_joins (
            "user" text COLLATE "C" NOT NULL,
            room text COLLATE "C" NOT NULL REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
            PRIMARY KEY ("user", room)
        )
        """,
        "CREATE INDEX chat_joins_by_room ON chat_joins (room)",
        """
        CREATE TABLE chat_room_vcards (
            room text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
            xml text NOT NULL,
            photo_hash text
        )
        """,
    ] + complianceStatements)
}
