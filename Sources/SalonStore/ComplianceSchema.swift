import GRDB

/// The compliance journal (design §6), apart from the archive: retraction, moderation, clear,
/// remove/replace and room deletion never touch it. Append-only: triggers refuse deleting a row
/// and changing any column but the export marker, which may only be set once. Each row's hash
/// covers its columns and the previous row's hash (`ComplianceChain`).
extension SalonSchema {
    /// Migration "v12-compliance".
    static func createComplianceJournal(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE compliance_events (
                seq INTEGER NOT NULL PRIMARY KEY,
                time INTEGER NOT NULL,
                type TEXT NOT NULL,
                actor_bare TEXT NOT NULL,
                actor_full TEXT NOT NULL,
                room TEXT NOT NULL,
                payload TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                exported_at INTEGER
            );
            CREATE INDEX compliance_events_pending ON compliance_events (seq) WHERE exported_at IS NULL;
            CREATE TRIGGER compliance_events_no_delete BEFORE DELETE ON compliance_events
            BEGIN
                SELECT RAISE(ABORT, 'the compliance journal is append-only');
            END;
            CREATE TRIGGER compliance_events_no_update
            BEFORE UPDATE OF seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash ON compliance_events
            BEGIN
                SELECT RAISE(ABORT, 'the compliance journal is append-only');
            END;
            CREATE TRIGGER compliance_events_exported_once BEFORE UPDATE OF exported_at ON compliance_events
            WHEN OLD.exported_at IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'a compliance event is exported once');
            END;

            CREATE TABLE compliance_settings (
                key TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE compliance_exports (
                id INTEGER NOT NULL PRIMARY KEY,
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                files TEXT NOT NULL DEFAULT ''
            );
            """)
    }

    /// Migration "v12-compliance-file-downloads": every download served, always (compliance
    /// on or off): who when known, when, which file of which room, which bytes.
    static func createFileDownloads(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE file_downloads (
                id INTEGER NOT NULL PRIMARY KEY,
                file_id TEXT NOT NULL,
                room TEXT,
                account TEXT,
                time INTEGER NOT NULL,
                range_start INTEGER,
                range_end INTEGER
            );
            CREATE INDEX file_downloads_by_file ON file_downloads (file_id, time);
            """)
    }
}
