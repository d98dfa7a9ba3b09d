import GRDB

extension SalonSchema {
    /// Migration "v3-archive": rebuilds room_messages around an INTEGER PRIMARY KEY (archive
    /// order, and a rowid VACUUM never renumbers, which the external-content FTS5 index relies
    /// on), adds the alert and retracted flags, per-room counts, and the FTS5 index on bodies.
    /// The index also holds each message's room as one exact token (`room_key`: "r" and the
    /// room's bytes in hex), so a search within rooms is answered, and counted, by FTS5 alone.
    static func createArchive(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE room_messages_v3 (
                id INTEGER PRIMARY KEY,
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
                alert INTEGER NOT NULL DEFAULT 0 CHECK (alert IN (0, 1)),
                retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
                room_key TEXT GENERATED ALWAYS AS ('r' || hex(room)) VIRTUAL,
                UNIQUE (room, sequence)
            );
            INSERT INTO room_messages_v3 (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                          body, subject, stanza)
                SELECT room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, subject, stanza
                FROM room_messages ORDER BY rowid;
            DROP TABLE room_messages;
            ALTER TABLE room_messages_v3 RENAME TO room_messages;

            -- Archive order within a room (an index on room implicitly ends with id).
            CREATE INDEX room_messages_by_room ON room_messages(room);
            -- MAM start/end and clear.
            CREATE INDEX room_messages_by_time ON room_messages(room, timestamp);

            -- How many messages each room holds, so an unfiltered MAM count never scans the room.
            CREATE TABLE room_message_counts (
                room TEXT NOT NULL PRIMARY KEY,
                total INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO room_message_counts (room, total)
                SELECT room, COUNT(*) FROM room_messages GROUP BY room;

            CREATE VIRTUAL TABLE room_messages_fts USING fts5(
                body, room_key, content = 'room_messages', content_rowid = 'id',
                tokenize = 'unicode61 remove_diacritics 2');
            INSERT INTO room_messages_fts (room_messages_fts) VALUES ('rebuild');

            -- The triggers keep the index and the counts in sync with every writer (the
            -- archive writer, ChatStore, admin commands, imports).
            CREATE TRIGGER room_messages_inserted AFTER INSERT ON room_messages BEGIN
                INSERT INTO room_messages_fts (rowid, body, room_key) VALUES (new.id, new.body, 'r' || hex(new.room));
                INSERT INTO room_message_counts (room, total) VALUES (new.room, 1)
                    ON CONFLICT (room) DO UPDATE SET total = total + 1;
            END;
            CREATE TRIGGER room_messages_deleted AFTER DELETE ON room_messages BEGIN
                INSERT INTO room_messages_fts (room_messages_fts, rowid, body, room_key)
                    VALUES ('delete', old.id, old.body, 'r' || hex(old.room));
                UPDATE room_message_counts SET total = total - 1 WHERE room = old.room;
            END;
            CREATE TRIGGER room_messages_text_updated AFTER UPDATE OF body, room ON room_messages BEGIN
                INSERT INTO room_messages_fts (room_messages_fts, rowid, body, room_key)
                    VALUES ('delete', old.id, old.body, 'r' || hex(old.room));
                INSERT INTO room_messages_fts (rowid, body, room_key) VALUES (new.id, new.body, 'r' || hex(new.room));
            END;
            CREATE TRIGGER room_messages_room_updated AFTER UPDATE OF room ON room_messages BEGIN
                UPDATE room_message_counts SET total = total - 1 WHERE room = old.room;
                INSERT INTO room_message_counts (room, total) VALUES (new.room, 1)
                    ON CONFLICT (room) DO UPDATE SET total = total + 1;
            END;
            """)
    }

    /// Migration "v6-archive-fts-lean": the FTS5 index again, cheaper to append to.
    /// - `columnsize=0`: no per-message row of token counts (only ranking reads it, and archive
    ///   search orders by time, never by rank): one B-tree insert less per message.
    /// - `automerge` 8 instead of 4: FTS5 merges a level once it holds 8 segments, so each
    ///   posting is rewritten fewer times as the index grows, for a few more segments to read per query.
    /// The triggers name the table, so they apply to the new one unchanged. Rebuilding reads every
    /// archived body once.
    static func leanArchiveIndex(_ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE room_messages_fts;
            CREATE VIRTUAL TABLE room_messages_fts USING fts5(
                body, room_key, content = 'room_messages', content_rowid = 'id',
                tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);
            INSERT INTO room_messages_fts (room_messages_fts, rank) VALUES ('automerge', \(archiveAutomerge));
            INSERT INTO room_messages_fts (room_messages_fts) VALUES ('rebuild');
            """)
    }

    /// Migration "v13-archive-write-path": the rooms' FTS5 index no longer written in the group
    /// commit (see ArchiveIndexCatchUp). `room_messages_fts_through` holds the highest id the
    /// index covers (every message now); rows past it are indexed later, in runs. The triggers
    /// touch the index only for rows at or below the mark, and index at once a row inserted
    /// below it; the counts stay per row (they share the page the batch dirties anyway).
    static func deferArchiveIndex(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE room_messages_fts_through (id INTEGER NOT NULL);
            INSERT INTO room_messages_fts_through (id) SELECT COALESCE(MAX(id), 0) FROM room_messages;

            DROP TRIGGER room_messages_inserted;
            DROP TRIGGER room_messages_deleted;
            DROP TRIGGER room_messages_text_updated;
            CREATE TRIGGER room_messages_inserted AFTER INSERT ON room_messages BEGIN
                INSERT INTO room_message_counts (room, total) VALUES (new.room, 1)
                    ON CONFLICT (room) DO UPDATE SET total = total + 1;
            END;
            CREATE TRIGGER room_messages_inserted_below_index AFTER INSERT ON room_messages
                WHEN new.id <= (SELECT id FROM room_messages_fts_through) BEGIN
                INSERT INTO room_messages_fts (rowid, body, room_key) VALUES (new.id, new.body, 'r' || hex(new.room));
            END;
            CREATE TRIGGER room_messages_deleted AFTER DELETE ON room_messages BEGIN
                UPDATE room_message_counts SET total = total - 1 WHERE room = old.room;
            END;
            CREATE TRIGGER room_messages_deleted_from_index AFTER DELETE ON room_messages
                WHEN old.id <= (SELECT id FROM room_messages_fts_through) BEGIN
                INSERT INTO room_messages_fts (room_messages_fts, rowid, body, room_key)
                    VALUES ('delete', old.id, old.body, 'r' || hex(old.room));
            END;
            CREATE TRIGGER room_messages_text_updated AFTER UPDATE OF body, room ON room_messages
                WHEN old.id <= (SELECT id FROM room_messages_fts_through) BEGIN
                INSERT INTO room_messages_fts (room_messages_fts, rowid, body, room_key)
                    VALUES ('delete', old.id, old.body, 'r' || hex(old.room));
                INSERT INTO room_messages_fts (rowid, body, room_key) VALUES (new.id, new.body, 'r' || hex(new.room));
            END;
            """)
    }

    /// Migration "v14-archive-counted-by-writer": no trigger runs for an archived row any more.
    /// The group commit counts each room's new messages once per batch (`ArchiveBatchInsert`,
    /// through which every writer inserts), and keeps new ids above the index's mark by lowering
    /// the mark when the newest rows were deleted (`ArchiveIndexCatchUp.keepNewIDsAboveMark`)
    /// instead of indexing at once a row inserted below it. SQLite runs no trigger program for
    /// an insert with no AFTER INSERT trigger, which was a third of its work per row.
    static func countArchiveByWriter(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER room_messages_inserted;
            DROP TRIGGER room_messages_inserted_below_index;
            """)
    }

    /// FTS5's automerge setting for the archive index (see leanArchiveIndex).
    static let archiveAutomerge = 8
}
