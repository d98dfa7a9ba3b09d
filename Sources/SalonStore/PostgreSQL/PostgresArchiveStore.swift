import Foundation
import PersistentChat
import PostgresNIO

/// `ArchiveStore` on PostgreSQL: the same rules as `SQLiteArchiveStore`, searched through the
/// generated `body_search` tsvector (`PostgresArchiveFilter`), every value bound, each change
/// one transaction. With `journal` (compliance on), a change's events are written in its
/// transaction (`PostgresComplianceJournalInsert`, after the rows are locked), as on SQLite.
struct PostgresArchiveStore: ArchiveStore {
    let access: PostgresAccess

    func query(_ query: ArchiveQuery) async throws -> ArchivePage {
        let paging = try PostgresArchivePaging<StoredMessage>(query)
        return try await access.transaction { transaction in try await paging.run(transaction) }
    }

    func bounds(room: String) async throws -> (first: StoredMessage?, last: StoredMessage?) {
        guard PostgresText.isStorable(room) else { return (nil, nil) }
        let rows = try await access.query("""
            (SELECT \(unescaped: PostgresArchiveRow.columns) FROM room_messages m WHERE m.room = \(room) ORDER BY m.id LIMIT 1)
            UNION ALL
            (SELECT \(unescaped: PostgresArchiveRow.columns) FROM room_messages m WHERE m.room = \(room) ORDER BY m.id DESC LIMIT 1)
            """)
        let messages = try rows.map(PostgresArchiveRow.message)
        return (messages.first, messages.last)
    }

    func message(room: String, stanzaID: String) async throws -> StoredMessage? {
        guard PostgresText.isStorable(room), PostgresText.isStorable(stanzaID) else { return nil }
        return try await access.query("""
            SELECT \(unescaped: PostgresArchiveRow.columns) FROM room_messages m WHERE m.stanza_id = \(stanzaID) AND m.room = \(room)
            """).first.map(PostgresArchiveRow.message)
    }

    func clear(room: String, until: Date, journal: ComplianceActor?) async throws -> Int {
        let until = try ArchiveFilter.milliseconds(until)
        guard PostgresText.isStorable(room) else { return 0 }
        return try await access.administrative.transaction { transaction in
            let count = try await transaction.query("""
                WITH deleted AS (DELETE FROM room_messages WHERE room = \(room) AND timestamp <= \(until) RETURNING 1)
                SELECT count(*) FROM deleted
                """).first?.decode(Int.self) ?? 0
            if let journal {
                try await PostgresComplianceJournalInsert.insert([journal.roomCleared(room, until: until, count: count)], transaction)
            }
            return count
        }
    }

    func remove(room: String, authors: [String], from: Date?, to: Date?, text: TextFilter?,
                replacement: ArchiveReplacement?, journal: ComplianceActor?) async throws -> Int {
        let filter = PostgresArchiveFilter(
            filter: try ArchiveFilter(rooms: [room], authors: authors, start: from, end: to, ids: nil, text: text,
                                      includeRetracted: replacement == nil))
        if let replacement {
            try ArchiveArguments.checkReplacement(replacement)
        }
        guard let replacement else {
            var builder = PostgresStatementBuilder("WITH deleted AS (DELETE FROM room_messages m WHERE ")
            let conditions = filter.conditions(&builder)
            guard let journal else {
                builder.append(conditions + " RETURNING 1) SELECT count(*) FROM deleted")
                return try await access.administrative.query(builder.query).first?.decode(Int.self) ?? 0
            }
            // Each removed message's text goes into its MESSAGE_REMOVED event, in archive order.
            builder.append(conditions + " RETURNING m.id, m.stanza_id, m.body) SELECT stanza_id, body FROM deleted ORDER BY id")
            let query = builder.query
            return try await access.administrative.transaction { transaction in
                let removed = try await transaction.query(query).map { try $0.decode((String, String).self) }
                try await PostgresComplianceJournalInsert.insert(
                    removed.map { journal.messageRemoved(room, stanzaID: $0.0, body: $0.1) }, transaction)
                return removed.count
            }
        }
        return try await access.administrative.transaction { transaction in
            var builder = PostgresStatementBuilder("SELECT m.id FROM room_messages m WHERE ")
            let conditions = filter.conditions(&builder)
            builder.append(conditions + " ORDER BY m.id FOR UPDATE")
            let ids = try await transaction.query(builder.query).map { try $0.decode(Int64.self) }
            // In slices, so a room-wide replacement never holds every stanza in memory at once.
            for start in stride(from: 0, to: ids.count, by: Self.replacementSlice) {
                let slice = Array(ids[start..<Swift.min(start + Self.replacementSlice, ids.count)])
                var rewritten: [Int64] = []
                var stanzas: [String] = []
                var events: [ComplianceEvent] = []
                for row in try await transaction.query("""
                    SELECT id, stanza, stanza_id, body FROM room_messages WHERE id = ANY(\(slice)::bigint[]) ORDER BY id
                    """) {
                    let (id, stanza, stanzaID, body) = try row.decode((Int64, String, String, String).self)
                    let replaced = replacement.stanza(stanza)
                    try PostgresText.check(replaced, "replacement stanza")
                    rewritten.append(id)
                    stanzas.append(replaced)
                    if let journal {
                        events.append(journal.messageReplaced(room, stanzaID: stanzaID, body: body, replacement: replacement.body))
                    }
                }
                try await PostgresComplianceJournalInsert.insert(events, transaction)
                try await transaction.query("""
                    UPDATE room_messages m SET body = \(replacement.body), stanza = u.stanza
                    FROM unnest(\(rewritten)::bigint[], \(stanzas)::text[]) AS u(id, stanza) WHERE m.id = u.id
                    """)
            }
            return ids.count
        }
    }

    func retract(room: String, stanzaID: String, tombstone: String) async throws -> StoredMessage? {
        try ArchiveArguments.checkTombstone(tombstone)
        guard PostgresText.isStorable(room), PostgresText.isStorable(stanzaID) else { return nil }
        return try await access.transaction { transaction in
            guard let old = try await transaction.query("""
                SELECT \(unescaped: PostgresArchiveRow.columns) FROM room_messages m
                WHERE m.stanza_id = \(stanzaID) AND m.room = \(room) FOR UPDATE
                """).first.map(PostgresArchiveRow.message) else { return nil }
            try await transaction.query("""
                UPDATE room_messages SET body = '', subject = NULL, stanza = \(tombstone), retracted = true
                WHERE stanza_id = \(stanzaID) AND room = \(room)
                """)
            return old
        }
    }

    /// Room deletion: the messages go, and the room's files, archived or not, are revoked in the
    /// same transaction (a trigger revokes those of archived messages); `room_counters` keeps
    /// `last_sequence`, so numbers are not reused.
    func deleteMessages(room: String) async throws {
        guard PostgresText.isStorable(room) else { return }
        try await access.administrative.transaction { transaction in
            try await transaction.query("DELETE FROM room_messages WHERE room = \(room)")
            try await PostgresFileStore.revokeRoom(room, transaction)
        }
    }

    /// Messages rewritten per statement by a replacement.
    static let replacementSlice = 500
}
