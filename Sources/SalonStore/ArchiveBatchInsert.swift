import CSQLite
import GRDB

/// Writes one group commit's messages inside the caller's transaction. Each message succeeds or
/// fails alone (a duplicate stanza-id fails only its own append), so one bad message never
/// costs the others their durability. Every statement it runs stays prepared between batches.
enum ArchiveBatchInsert {
    /// A validated message with its timestamp in milliseconds. A class: the message is handed
    /// from the room's loop to the queue, the batch and the statement's rows, and a struct of a
    /// dozen strings would be retained and released field by field, across threads, at each step.
    final class Item: Sendable {
        let message: StoredMessage
        let timestamp: Int64

        init(message: StoredMessage, timestamp: Int64) {
            self.message = message
            self.timestamp = timestamp
        }
    }

    /// Inserts `items` in order and returns each one's sequence or failure.
    static func insert(_ items: [Item], _ db: Database) throws -> [Result<Int64, StoreError>] {
        // Stanza-ids are fresh UUIDs made by the server, so a duplicate of an archived one is
        // rare: first trust the unique index to refuse one, and look every id up only when it
        // did (the savepoint undoes the attempt, FTS5 terms included).
        do {
            var results: [Result<Int64, StoreError>] = []
            try db.inSavepoint {
                results = try insert(items, checkingAgainst: nil, db)
                return .commit
            }
            return results
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return try insert(items, checkingAgainst: ArchivedStanzaIDs(db), db)
        }
    }

    /// Inserts `items`, failing those whose stanza-id repeats within the batch or is in `archived`.
    private static func insert(_ items: [Item], checkingAgainst archived: ArchivedStanzaIDs?,
                               _ db: Database) throws -> [Result<Int64, StoreError>] {
        var seen = Set<String>(minimumCapacity: items.count)
        var next: [String: Int64] = [:]
        var added: [String: Int64] = [:]
        var results: [Result<Int64, StoreError>] = []
        var rows: [ArchiveInsertStatement.Row] = []
        results.reserveCapacity(items.count)
        rows.reserveCapacity(items.count)
        for item in items {
            let stanzaID = item.message.stanzaID
            guard seen.insert(stanzaID).inserted, try archived?.contains(stanzaID) != true else {
                results.append(.failure(StoreError(.conflict, "stanza ID \(stanzaID.prefix(64)) is already archived")))
                continue
            }
            let room = item.message.room
            let sequence = try next[room] ?? firstFreeSequence(room: room, db)
            let (following, overflow) = sequence.addingReportingOverflow(1)
            guard !overflow else { throw StoreError(.other, "room \(room) has run out of sequence numbers") }
            next[room] = following
            added[room, default: 0] += 1
            rows.append(ArchiveInsertStatement.Row(item: item, sequence: sequence))
            results.append(.success(sequence))
        }
        try ArchiveIndexCatchUp.keepNewIDsAboveMark(db)
        try ArchiveInsertStatement.insert(rows, db)
        // Uploaded files the messages carry belong to them from this commit on.
        for row in rows where !row.item.message.files.isEmpty {
            let message = row.item.message
            for file in message.files {
                try SQLiteFileStore.claim(file, room: message.room, stanzaID: message.stanzaID, at: row.item.timestamp, db)
            }
        }
        // Record the last sequence handed out per room, so deletions never lead to reuse, and
        // count the room's messages (for MAM's unfiltered count), once per room per batch.
        let record = try db.cachedStatement(sql: """
            INSERT INTO room_sequences (room, last) VALUES (?, ?)
            ON CONFLICT (room) DO UPDATE SET last = max(last, excluded.last)
            """)
        let count = try db.cachedStatement(sql: """
            INSERT INTO room_message_counts (room, total) VALUES (?, ?)
            ON CONFLICT (room) DO UPDATE SET total = total + excluded.total
            """)
        for (room, following) in next {
            try record.execute(arguments: [room, following - 1])
            try count.execute(arguments: [room, added[room] ?? 0])
        }
        return results
    }

    /// One past both the room's counter and its highest stored message.
    private static func firstFreeSequence(room: String, _ db: Database) throws -> Int64 {
        let counter = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last FROM room_sequences WHERE room = ?"),
                                         arguments: [room]) ?? 0
        let highest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(sequence) FROM room_messages WHERE room = ?"),
                                         arguments: [room]) ?? 0
        let (next, overflow) = max(counter, highest).addingReportingOverflow(1)
        guard !overflow else { throw StoreError(.other, "room \(room) has run out of sequence numbers") }
        return next
    }
}

/// Looks stanza-ids up in the archive's unique index with one cached statement, bound in place
/// (a lookup per message is as cheap as any set query and needs no per-batch SQL).
private struct ArchivedStanzaIDs {
    private let connection: OpaquePointer
    private let statement: Statement
    private static let empty: StaticString = ""

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.other, "the database is closed") }
        self.connection = connection
        statement = try db.cachedStatement(sql: "SELECT 1 FROM room_messages WHERE stanza_id = ?")
    }

    /// Whether a message with `stanzaID` is archived.
    func contains(_ stanzaID: String) throws -> Bool {
        var stanzaID = stanzaID
        let handle = statement.sqliteStatement
        let code = stanzaID.withUTF8 { bytes in
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            // A nil destructor is SQLITE_STATIC: the bytes are only read during the step.
            let address = UnsafeRawPointer(bytes.baseAddress ?? Self.empty.utf8Start)
            let bound = sqlite3_bind_text(handle, 1, address.assumingMemoryBound(to: CChar.self),
                                          Int32(clamping: bytes.count), nil)
            return bound == SQLITE_OK ? sqlite3_step(handle) : bound
        }
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }
}
