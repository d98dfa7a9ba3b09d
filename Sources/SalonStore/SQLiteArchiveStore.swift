import Foundation
import GRDB
import PersistentChat

/// `ArchiveStore` on SQLite: FTS5 for search. Reads run on WAL readers and never wait for the writer.
struct SQLiteArchiveStore: ArchiveStore {
    let access: StoreAccess

    /// One page of the messages matching `query`; throws ArchiveError for bad filters or unknown ids.
    func query(_ query: ArchiveQuery) async throws -> ArchivePage {
        let paging = try ArchivePaging<StoredMessage>(query)
        if query.text != nil { try await catchUpIndex() }
        return try await access.archiveRead { db in try paging.run(db) }
    }

    /// The oldest and newest messages of a room (MAM metadata); nils for an empty room.
    func bounds(room: String) async throws -> (first: StoredMessage?, last: StoredMessage?) {
        guard PostgresText.isStorable(room) else { return (nil, nil) }
        return try await StoredMessage.bounds(of: room, in: access)
    }

    /// The message of `room` with that stanza-id, if archived.
    func message(room: String, stanzaID: String) async throws -> StoredMessage? {
        // A NUL finds nothing, as on PostgreSQL (SQLite would compare only up to it).
        guard PostgresText.isStorable(room), PostgresText.isStorable(stanzaID) else { return nil }
        return try await access.archiveRead { db in try Self.fetchMessage(room: room, stanzaID: stanzaID, db) }
    }

    /// Deletes every message of the room up to and including `until`; returns how many.
    /// With `journal` (compliance on), ROOM_CLEARED is written in the same transaction.
    func clear(room: String, until: Date, journal: ComplianceActor?) async throws -> Int {
        let until = try ArchiveFilter.milliseconds(until)
        guard PostgresText.isStorable(room) else { return 0 }
        return try await write { db in
            try db.execute(sql: "DELETE FROM room_messages WHERE room = ? AND timestamp <= ?", arguments: [room, until])
            let count = db.changesCount
            if let journal {
                try ComplianceJournalInsert.insert([journal.roomCleared(room, until: until, count: count)], db)
            }
            return count
        }
    }

    /// Deletes (replacement nil) or replaces the body and the stored stanza of matching messages; returns how many.
    /// Replacing skips tombstones; deleting removes them too.
    /// With `journal` (compliance on), each message's MESSAGE_REMOVED or MESSAGE_REPLACED event,
    /// with its old text, is written in the same transaction.
    func remove(room: String, authors: [String], from: Date?, to: Date?, text: TextFilter?,
                       replacement: ArchiveReplacement?, journal: ComplianceActor?) async throws -> Int {
        let filter = try ArchiveFilter(rooms: [room], authors: authors, start: from, end: to, ids: nil, text: text,
                                       includeRetracted: replacement == nil)
        // Most of a long unindexed tail first, in chunks; the rest inside the removal's transaction.
        if text != nil { try await catchUpIndex() }
        guard let replacement else {
            return try await write { db in
                if filter.text != nil { try ArchiveIndexCatchUp.indexAll(db) }
                let (conditions, arguments) = filter.whereClause()
                if let journal {
                    let rows = try Row.fetchAll(db, sql: "SELECT m.stanza_id, m.body FROM \(filter.from) WHERE \(conditions)", arguments: arguments)
                    try ComplianceJournalInsert.insert(rows.map {
                        journal.messageRemoved(room, stanzaID: $0["stanza_id"], body: $0["body"])
                    }, db)
                }
                try db.execute(sql: "DELETE FROM room_messages WHERE id IN (SELECT m.id FROM \(filter.from) WHERE \(conditions))",
                               arguments: arguments)
                return db.changesCount
            }
        }
        try ArchiveArguments.checkReplacement(replacement)
        return try await write { db in
            if filter.text != nil { try ArchiveIndexCatchUp.indexAll(db) }
            let ids = try filter.matchingIDs(db)
            // In slices, so a room-wide replacement never holds every stanza in memory at once.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[start..<Swift.min(start + 500, ids.count)])
                let rows = try Row.fetchAll(db, sql: "SELECT id, stanza, stanza_id, body FROM room_messages WHERE "
                                            + ArchiveFilter.membership("id", count: slice.count),
                                            arguments: StatementArguments(slice))
                if let journal {
                    try ComplianceJournalInsert.insert(rows.map {
                        journal.messageReplaced(room, stanzaID: $0["stanza_id"], body: $0["body"], replacement: replacement.body)
                    }, db)
                }
                for row in rows {
                    let id: Int64 = try row.decode(Int64.self, forColumn: "id")
                    let stanza = replacement.stanza(try row.decode(String.self, forColumn: "stanza"))
                    try db.execute(sql: "UPDATE room_messages SET body = ?, stanza = ? WHERE id = ?",
                                   arguments: [replacement.body, stanza, id])
                }
            }
            return ids.count
        }
    }

    /// XEP-0425: tombstones one message (body emptied, retracted = true, stanza replaced by `tombstone`); returns the old message.
    /// The story title goes too: it is content.
    func retract(room: String, stanzaID: String, tombstone: String) async throws -> StoredMessage? {
        try ArchiveArguments.checkTombstone(tombstone)
        guard PostgresText.isStorable(room), PostgresText.isStorable(stanzaID) else { return nil }
        return try await write { db in
            guard let old = try Self.fetchMessage(room: room, stanzaID: stanzaID, db) else { return nil }
            try db.execute(sql: """
                UPDATE room_messages SET body = '', subject = NULL, stanza = ?, retracted = 1
                WHERE room = ? AND stanza_id = ?
                """, arguments: [tombstone, room, stanzaID])
            return old
        }
    }

    // MARK: - Access

    /// Brings the full-text index up to date, so a search sees every committed message.
    private func catchUpIndex() async throws {
        do {
            try await access.catchUpArchiveIndex()
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    private static func fetchMessage(room: String, stanzaID: String, _ db: Database) throws -> StoredMessage? {
        try Row.fetchOne(db, sql: "SELECT \(SQLiteChatStore.messageColumns) FROM room_messages WHERE stanza_id = ? AND room = ?",
                         arguments: [stanzaID, room]).map(SQLiteChatStore.message(from:))
    }

    /// A durable write (administrative changes must survive a power loss like the appends they undo).
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await access.writeDurably(body)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw StoreError.wrapping(error)
        }
    }
}

extension SalonDatabase {
    /// The message archive: queries, search, clear, remove and moderation.
    public var archive: any ArchiveStore { SQLiteArchiveStore(access: StoreAccess(writer: writer)) }
}
