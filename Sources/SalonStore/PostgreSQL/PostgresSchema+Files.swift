/// Migration "v6-files": uploaded files and their downloads, as `FilesSchema` and
/// `ComplianceSchema` have them on SQLite. A file's message is set in the transaction that
/// archives it (`PostgresArchiveInsert`); deleting or rewriting that message (clear, remove,
/// replace, moderation, room deletion) revokes the file in the same transaction, by the
/// triggers below, whichever node did it.
extension PostgresSchema {
    static let files = Migration(name: "v6-files", statements: [
        // Now in milliseconds, as the triggers and revocations stamp it.
        """
        CREATE FUNCTION salon_now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS $$
            SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
        $$
        """,
        """
        CREATE TABLE files (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            uploader text COLLATE "C" NOT NULL,
            name text NOT NULL,
            size bigint NOT NULL CHECK (size >= 0),
            content_type text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            completed_at bigint,
            sha256 text,
            room text COLLATE "C",
            stanza_id text COLLATE "C",
            claimed_at bigint,
            revoked_at bigint,
            deleted_at bigint
        )
        """,
        "CREATE INDEX files_by_uploader ON files (uploader, created_at)",
        "CREATE INDEX files_by_message ON files (room, stanza_id) WHERE room IS NOT NULL",
        // What the sweep looks for every few minutes: bytes to take off disk, uploads never posted.
        "CREATE INDEX files_to_delete ON files (id) WHERE revoked_at IS NOT NULL AND deleted_at IS NULL",
        "CREATE INDEX files_unclaimed ON files (expires_at) WHERE room IS NULL AND revoked_at IS NULL",
        // Downloads outlive their file's row (the compliance record of who fetched what).
        """
        CREATE TABLE file_downloads (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            file_id text COLLATE "C" NOT NULL,
            room text,
            account text,
            time bigint NOT NULL,
            range_start bigint,
            range_end bigint
        )
        """,
        "CREATE INDEX file_downloads_by_file ON file_downloads (file_id, time)",
        // One statement trigger per deletion: a cleared room revokes its files in one update.
        """
        CREATE FUNCTION salon_files_revoked_with_deleted_messages() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE files f SET revoked_at = salon_now_ms()
                FROM deleted_rows d WHERE f.room = d.room AND f.stanza_id = d.stanza_id AND f.revoked_at IS NULL;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER files_revoked_with_deleted_messages AFTER DELETE ON room_messages
            REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION salon_files_revoked_with_deleted_messages()
        """,
        // Per row: PostgreSQL gives no transition tables to a trigger on named columns.
        """
        CREATE FUNCTION salon_files_revoked_with_rewritten_message() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE files SET revoked_at = salon_now_ms()
                WHERE room = OLD.room AND stanza_id = OLD.stanza_id AND revoked_at IS NULL;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER files_revoked_with_rewritten_message AFTER UPDATE OF stanza ON room_messages
            FOR EACH ROW WHEN (NEW.stanza IS DISTINCT FROM OLD.stanza) EXECUTE FUNCTION salon_files_revoked_with_rewritten_message()
        """,
    ])
}
