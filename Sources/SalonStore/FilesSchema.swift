import GRDB

/// Uploaded files (XEP-0363) and the room message that carries each one. A file's reference is
/// set in the transaction that archives its message (`ArchiveBatchInsert`); deleting or
/// rewriting that message (clear, remove, replace, moderation, room deletion) revokes the file
/// in the same transaction, by the triggers below, whichever front end did it.
extension SalonSchema {
    static func createFiles(_ db: Database) throws {
        let now = SQLiteFileStore.nowSQL
        try db.execute(sql: """
            CREATE TABLE files (
                id TEXT NOT NULL PRIMARY KEY,
                uploader TEXT NOT NULL,
                name TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                content_type TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                completed_at INTEGER,
                sha256 TEXT,
                room TEXT,
                stanza_id TEXT,
                claimed_at INTEGER,
                revoked_at INTEGER,
                deleted_at INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX files_by_uploader ON files (uploader, created_at);
            CREATE INDEX files_by_message ON files (room, stanza_id) WHERE room IS NOT NULL;
            CREATE TRIGGER files_revoked_with_deleted_message AFTER DELETE ON room_messages
            BEGIN
                UPDATE files SET revoked_at = \(now)
                WHERE room = OLD.room AND stanza_id = OLD.stanza_id AND revoked_at IS NULL;
            END;
            CREATE TRIGGER files_revoked_with_rewritten_message AFTER UPDATE OF stanza ON room_messages
            WHEN NEW.stanza IS NOT OLD.stanza
            BEGIN
                UPDATE files SET revoked_at = \(now)
                WHERE room = OLD.room AND stanza_id = OLD.stanza_id AND revoked_at IS NULL;
            END;
            """)
    }

    /// Migration "v11-files-sweep-indexes": the sweep runs every few minutes, so what it looks
    /// for (files to take off the disk, uploads never posted) is indexed.
    static func indexFileSweep(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX files_to_delete ON files (id) WHERE revoked_at IS NOT NULL AND deleted_at IS NULL;
            CREATE INDEX files_unclaimed ON files (expires_at) WHERE room IS NULL AND revoked_at IS NULL;
            """)
    }
}
