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

    /// Inserts `items` in order and returns each one's sequence or failure: a message whose
    /// stanza-id is archived already (or earlier in the batch) fails with `conflict`, the
    /// others are written. No savepoint: a refused row writes nothing (ArchiveInsertStatement).
    static func insert(_ items: [Item], _ db: Database) throws -> [Result<Int64, StoreError>] {
        var next: [String: Int64] = [:]
        var added: [String: Int64] = [:]
        var results: [Result<Int64, StoreError>] = []
        results.reserveCapacity(items.count)
        try ArchiveIndexCatchUp.keepNewIDsAboveMark(db)
        var statement = try ArchiveInsertStatement(db)
        for item in items {
            let room = item.message.room
            let sequence = try next[room] ?? firstFreeSequence(room: room, db)
            let (following, overflow) = sequence.addingReportingOverflow(1)
            guard !overflow else { throw StoreError(.other, "room \(room) has run out of sequence numbers") }
            guard try statement.insert(ArchiveInsertStatement.Row(item: item, sequence: sequence)) else {
                results.append(.failure(try refusal(item.message.stanzaID, db)))
                continue
            }
            next[room] = following
            added[room, default: 0] += 1
            results.append(.success(sequence))
            // Uploaded files the message carries belong to it from this commit on.
            for file in item.message.files {
                try SQLiteFileStore.claim(file, room: room, stanzaID: item.message.stanzaID, at: item.timestamp, db)
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

    /// Why the unique index refused a message: its stanza-id is archived (a conflict, the
    /// message's own failure); anything else (its room and sequence taken) is the archive's
    /// fault and fails the batch.
    private static func refusal(_ stanzaID: String, _ db: Database) throws -> StoreError {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM room_messages WHERE stanza_id = ?"),
                                arguments: [stanzaID]) == true else {
            throw StoreError(.other, "the archive refused a message whose stanza-id is not archived (a sequence already taken)")
        }
        return StoreError(.conflict, "stanza ID \(stanzaID.prefix(64)) is already archived")
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
