import GRDB

/// Writes one group commit's messages inside the caller's transaction. Each message succeeds or
/// fails alone (a duplicate stanza-id fails only its own append), so one bad message never
/// costs the others their durability.
enum ArchiveBatchInsert {
    /// A validated message with its timestamp in milliseconds.
    struct Item: Sendable {
        let message: StoredMessage
        let timestamp: Int64
    }

    /// Inserts `items` in order and returns each one's sequence or failure.
    static func insert(_ items: [Item], _ db: Database) throws -> [Result<Int64, StoreError>] {
        let taken = try archivedStanzaIDs(among: items.map(\.message.stanzaID), db)
        var seen = Set<String>()
        var next: [String: Int64] = [:]
        var results: [Result<Int64, StoreError>] = []
        var accepted: [(item: Item, sequence: Int64)] = []
        results.reserveCapacity(items.count)
        accepted.reserveCapacity(items.count)
        for item in items {
            let message = item.message
            guard !taken.contains(message.stanzaID), seen.insert(message.stanzaID).inserted else {
                results.append(.failure(StoreError(.conflict, "stanza ID \(message.stanzaID.prefix(64)) is already archived")))
                continue
            }
            let sequence = try next[message.room] ?? firstFreeSequence(room: message.room, db)
            let (following, overflow) = sequence.addingReportingOverflow(1)
            guard !overflow else { throw StoreError(.other, "room \(message.room) has run out of sequence numbers") }
            next[message.room] = following
            accepted.append((item, sequence))
            results.append(.success(sequence))
        }
        try write(accepted, db)
        // Record the last sequence handed out per room, so deletions never lead to reuse.
        let record = try db.cachedStatement(sql: """
            INSERT INTO room_sequences (room, last) VALUES (?, ?)
            ON CONFLICT (room) DO UPDATE SET last = max(last, excluded.last)
            """)
        for (room, following) in next {
            try record.execute(arguments: [room, following - 1])
        }
        return results
    }

    /// Inserts the accepted rows with as few statements as the parameter limit allows.
    private static func write(_ accepted: [(item: Item, sequence: Int64)], _ db: Database) throws {
        let chunkSize = ArchiveInsertStatement.maxRows(db)
        var full: ArchiveInsertStatement?
        for start in stride(from: 0, to: accepted.count, by: chunkSize) {
            let chunk = accepted[start..<min(start + chunkSize, accepted.count)]
            let statement: ArchiveInsertStatement
            if chunk.count == chunkSize, let full {
                statement = full
            } else {
                statement = try ArchiveInsertStatement(db, rows: chunk.count)
                if chunk.count == chunkSize { full = statement }
            }
            for (row, entry) in chunk.enumerated() {
                try statement.bind(row: row, entry.item.message, sequence: entry.sequence, timestamp: entry.item.timestamp)
            }
            try statement.execute()
        }
    }

    /// Which of `stanzaIDs` the archive already holds.
    private static func archivedStanzaIDs(among stanzaIDs: [String], _ db: Database) throws -> Set<String> {
        var taken = Set<String>()
        for start in stride(from: 0, to: stanzaIDs.count, by: 500) {
            let chunk = Array(stanzaIDs[start..<min(start + 500, stanzaIDs.count)])
            let sql = "SELECT stanza_id FROM room_messages WHERE " + ArchiveFilter.membership("stanza_id", count: chunk.count)
            taken.formUnion(try String.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)))
        }
        return taken
    }

    /// One past both the room's counter and its highest stored message.
    private static func firstFreeSequence(room: String, _ db: Database) throws -> Int64 {
        let counter = try Int64.fetchOne(db, sql: "SELECT last FROM room_sequences WHERE room = ?", arguments: [room]) ?? 0
        let highest = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM room_messages WHERE room = ?",
                                         arguments: [room]) ?? 0
        let (next, overflow) = max(counter, highest).addingReportingOverflow(1)
        guard !overflow else { throw StoreError(.other, "room \(room) has run out of sequence numbers") }
        return next
    }
}
