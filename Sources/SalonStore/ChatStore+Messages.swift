import Foundation
import GRDB

extension ChatStore {
    /// Appends a message; assigns and returns its sequence number. Durable when it returns.
    /// Sequence numbers never repeat within a room, even after `deleteMessages`.
    /// Throws invalidArgument for a malformed message and conflict for a stanza ID already stored.
    public func append(_ message: StoredMessage) async throws -> Int64 {
        try message.validate()
        let timestamp = try InputLimits.milliseconds(message.timestamp)
        return try await access.writeDurably { db in try Self.insert(message, timestamp: timestamp, db) }
    }

    /// Appends messages in one durable transaction (a group commit), returning their sequence
    /// numbers in order. All or nothing: one malformed or duplicate message fails the batch.
    /// At most 1 000 messages per batch.
    public func append(contentsOf messages: [StoredMessage]) async throws -> [Int64] {
        guard messages.count <= InputLimits.maxAppendBatch else {
            throw StoreError(.invalidArgument, "at most \(InputLimits.maxAppendBatch) messages per batch")
        }
        guard !messages.isEmpty else { return [] }
        let timestamps = try messages.map { message in
            try message.validate()
            return try InputLimits.milliseconds(message.timestamp)
        }
        return try await access.writeDurably { db in
            try zip(messages, timestamps).map { message, timestamp in
                try Self.insert(message, timestamp: timestamp, db)
            }
        }
    }

    /// The last `limit` messages of a room, oldest first.
    /// At most 10 000 of them; none for a limit below 1.
    public func recentMessages(room: String, limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        let limit = min(limit, InputLimits.maxRecentMessages)
        return try await access.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.messageColumns)
                FROM room_messages WHERE room = ? ORDER BY sequence DESC LIMIT ?
                """, arguments: [room, limit])
            .reversed()
            .map(Self.message(from:))
        }
    }

    /// Removes a room's messages (room deletion). Its sequence numbers are not reused.
    public func deleteMessages(room: String) async throws {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM room_messages WHERE room = ?", arguments: [room])
        }
    }

    // MARK: - Rows

    /// Inserts a validated message with the next sequence number of its room and returns that number.
    private static func insert(_ message: StoredMessage, timestamp: Int64, _ db: Database) throws -> Int64 {
        let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM room_messages WHERE stanza_id = ?)",
                                      arguments: [message.stanzaID]) ?? false
        if taken {
            throw StoreError(.conflict, "stanza ID \(message.stanzaID.prefix(64)) is already archived")
        }
        let sequence = try nextSequence(room: message.room, db)
        try db.execute(sql: """
            INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                       body, subject, stanza, alert, retracted)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [message.room, sequence, message.stanzaID, message.senderJID, message.nick,
                             message.occupantID, timestamp, message.body, message.subject, message.stanza,
                             message.alert, message.retracted])
        return sequence
    }

    /// One past both the room's counter and its highest stored message (an import may have
    /// written messages directly), recorded in the counter inside the caller's transaction.
    private static func nextSequence(room: String, _ db: Database) throws -> Int64 {
        let counter = try Int64.fetchOne(db, sql: "SELECT last FROM room_sequences WHERE room = ?",
                                         arguments: [room]) ?? 0
        let highest = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM room_messages WHERE room = ?",
                                         arguments: [room]) ?? 0
        let (next, overflow) = max(counter, highest).addingReportingOverflow(1)
        guard !overflow else {
            throw StoreError(.other, "room \(room) has run out of sequence numbers")
        }
        try db.execute(sql: """
            INSERT INTO room_sequences (room, last) VALUES (?, ?)
            ON CONFLICT (room) DO UPDATE SET last = excluded.last
            """, arguments: [room, next])
        return next
    }

    /// The columns `message(from:)` reads, in a SELECT list.
    static let messageColumns = "room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, subject, stanza, alert, retracted"

    /// `messageColumns` qualified by the alias `m`.
    static let qualifiedMessageColumns = messageColumns.split(separator: ",")
        .map { "m." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    static func message(from row: Row) throws -> StoredMessage {
        StoredMessage(
            room: try row.decode(String.self, forColumn: "room"),
            sequence: try row.decode(Int64.self, forColumn: "sequence"),
            stanzaID: try row.decode(String.self, forColumn: "stanza_id"),
            senderJID: try row.decode(String.self, forColumn: "sender"),
            nick: try row.decode(String.self, forColumn: "nick"),
            occupantID: try row.decode(String.self, forColumn: "occupant_id"),
            timestamp: Date(timeIntervalSince1970: Double(try row.decode(Int64.self, forColumn: "timestamp")) / 1000),
            body: try row.decode(String.self, forColumn: "body"),
            subject: try row.decode(String?.self, forColumn: "subject"),
            alert: try row.decode(Bool.self, forColumn: "alert"),
            retracted: try row.decode(Bool.self, forColumn: "retracted"),
            stanza: try row.decode(String.self, forColumn: "stanza"))
    }
}
