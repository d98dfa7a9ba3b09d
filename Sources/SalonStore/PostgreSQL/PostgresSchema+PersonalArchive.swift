/// Migration "v7-personal-archive": accounts' archives and archiving preferences, shaped like
/// the rooms' archive on PostgreSQL (`v5-room-archive`) so one filter and pager serve both
/// (`PostgresArchiveFilter`, `PostgresArchivePaging`):
///
/// - `id` is archive order. Within an account it follows commit order: the writer locks the
///   account's `account_message_counts` row before it inserts and holds it until COMMIT.
/// - `account_message_counts.total` is kept by statement triggers, for unfiltered MAM counts.
/// - `body_search` is built with the rooms' text search configuration (`room_search`), and
///   `PostgresArchiveSearch` rebuilds both columns when the operator picks another one.
/// - Rows, counts and preferences go with the account (`ON DELETE CASCADE`), as on SQLite.
extension PostgresSchema {
    static let personalArchive = Migration(name: "v7-personal-archive", statements: [
        """
        CREATE TABLE account_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            stanza_id text COLLATE "C" NOT NULL UNIQUE,
            with_full text COLLATE "C" NOT NULL,
            with_bare text COLLATE "C" NOT NULL,
            outgoing boolean NOT NULL,
            timestamp bigint NOT NULL,
            body text NOT NULL,
            stanza text NOT NULL
        )
        """,
        // The column's expression is DDL, which takes no parameters: PostgreSQL quotes the name itself.
        """
        DO $$
        BEGIN
            EXECUTE format('ALTER TABLE account_messages ADD COLUMN body_search tsvector GENERATED ALWAYS AS '
                           '(to_tsvector(%L::regconfig, salon_search_text(body))) STORED',
                           (SELECT configuration FROM room_search));
        END
        $$
        """,
        "CREATE INDEX account_messages_by_owner ON account_messages (owner, id)",
        "CREATE INDEX account_messages_by_time ON account_messages (owner, timestamp)",
        "CREATE INDEX account_messages_by_with ON account_messages (owner, with_bare)",
        "CREATE INDEX account_messages_search ON account_messages USING gin (body_search)",
        """
        CREATE TABLE account_message_counts (
            owner text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES users(jid) ON DELETE CASCADE,
            total bigint NOT NULL DEFAULT 0 CHECK (total >= 0)
        )
        """,
        """
        CREATE FUNCTION salon_account_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO account_message_counts AS c (owner, total)
                SELECT owner, count(*) FROM inserted_rows GROUP BY owner ORDER BY owner
                ON CONFLICT (owner) DO UPDATE SET total = c.total + excluded.total;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION salon_account_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE account_message_counts AS c SET total = c.total - d.n
                FROM (SELECT owner, count(*) AS n FROM deleted_rows GROUP BY owner) AS d WHERE c.owner = d.owner;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER account_messages_inserted AFTER INSERT ON account_messages
            REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION salon_account_messages_inserted()
        """,
        """
        CREATE TRIGGER account_messages_deleted AFTER DELETE ON account_messages
            REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION salon_account_messages_deleted()
        """,
        // XEP-0441 preferences; no row means default 'always' and empty lists.
        """
        CREATE TABLE archive_preferences (
            owner text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES users(jid) ON DELETE CASCADE,
            default_mode text NOT NULL CHECK (default_mode IN ('always', 'never', 'roster'))
        )
        """,
        """
        CREATE TABLE archive_preference_jids (
            owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
            jid text COLLATE "C" NOT NULL,
            always boolean NOT NULL,
            PRIMARY KEY (owner, jid)
        )
        """,
    ])
}
