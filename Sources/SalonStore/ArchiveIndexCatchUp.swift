import GRDB

/// The rooms' full-text index is written behind the archive (migration `v13-archive-write-path`):
/// a group commit inserts messages only, and the FTS5 index takes the rows past its high-water
/// mark (`room_messages_fts_through`) in larger runs — one FTS5 segment for many commits instead
/// of one per commit. The triggers keep rows at or below the mark in step with deletions and
/// edits; a group commit first lowers the mark when the highest rows were deleted, since SQLite
/// hands their ids out again (`keepNewIDsAboveMark`). Searches and text-filtered removals bring
/// the index up to date first, so they still see every committed message; after a crash the
/// mark, committed with the rows it covers, says where to resume.
enum ArchiveIndexCatchUp {
    /// Unindexed rows after which the archive writer indexes them in the next group commit.
    static let writerThreshold = 1024
    /// The most rows the writer indexes in one group commit, so a long tail (an import) never
    /// stalls posts: it drains a run per commit.
    static let writerRunRows = 4096
    /// Rows indexed per transaction or statement when a search catches up a long tail.
    static let chunkRows = 10_000

    /// Lowers the mark to the highest archived id when the rows above it were deleted, so the
    /// ids SQLite hands out next (one past the highest) lie above the mark and wait for a run,
    /// as every new row does; every row at or below the lowered mark is indexed already. Run by
    /// each group commit before it inserts, inside its transaction.
    static func keepNewIDsAboveMark(_ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE room_messages_fts_through SET id = (SELECT COALESCE(MAX(id), 0) FROM room_messages)
            WHERE id > (SELECT COALESCE(MAX(id), 0) FROM room_messages)
            """).execute()
    }

    /// Whether some archived message is past the index's mark.
    static func isBehind(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM room_messages WHERE id > (SELECT id FROM room_messages_fts_through))
            """)) ?? false
    }

    /// How many archived messages are past the index's mark.
    static func backlog(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM room_messages WHERE id > (SELECT id FROM room_messages_fts_through)
            """)) ?? 0
    }

    /// Indexes up to `limit` messages past the mark and moves the mark past them; returns
    /// false when the index was already up to date. Inside the caller's transaction.
    @discardableResult
    static func indexTail(limit: Int, _ db: Database) throws -> Bool {
        let through = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM room_messages_fts_through")) ?? 0
        guard let upper = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT MAX(id) FROM (SELECT id FROM room_messages WHERE id > ? ORDER BY id LIMIT ?)
            """), arguments: [through, limit]) else { return false }
        try db.cachedStatement(sql: """
            INSERT INTO room_messages_fts (rowid, body, room_key)
                SELECT id, body, 'r' || hex(room) FROM room_messages WHERE id > ? AND id <= ? ORDER BY id
            """).execute(arguments: [through, upper])
        try db.cachedStatement(sql: "UPDATE room_messages_fts_through SET id = ?").execute(arguments: [upper])
        return true
    }

    /// Indexes every message past the mark, chunk by chunk, inside the caller's transaction.
    static func indexAll(_ db: Database) throws {
        while try indexTail(limit: chunkRows, db) {}
    }
}

extension StoreAccess {
    /// Brings the rooms' full-text index up to date before a search (a read first, so an index
    /// already up to date costs no write); a chunk per transaction, so the archive writer's
    /// group commits go on between them.
    func catchUpArchiveIndex() async throws {
        guard try await writer.read({ db in try ArchiveIndexCatchUp.isBehind(db) }) else { return }
        while try await writer.write({ db in try ArchiveIndexCatchUp.indexTail(limit: ArchiveIndexCatchUp.chunkRows, db) }) {}
    }
}
