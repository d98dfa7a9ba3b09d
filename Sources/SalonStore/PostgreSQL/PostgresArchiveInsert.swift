import PostgresNIO

/// Writes one group commit's room messages on PostgreSQL, in its transaction, by two statements:
/// the first looks up the stanza-ids already archived and draws each room's sequences for the
/// others by one upsert of its `room_counters` row (locked until COMMIT, rooms in name order so
/// two nodes never deadlock); the second inserts every row by one multi-row INSERT of UNNESTed
/// arrays (a third claims the uploaded files posts carry, when they do). Each message succeeds
/// or fails alone, as on SQLite: a duplicate stanza-id fails only its own append, and a post
/// fenced with a lease that no longer holds (`PostgresLeaseFence`) only its own.
enum PostgresArchiveInsert {
    /// Inserts `items` in order inside `transaction` and returns each one's sequence or failure;
    /// throws (failing the whole batch: the caller rolls back) when a statement fails.
    static func insert(_ items: [ArchiveBatchInsert.Item], _ transaction: PostgresAccess.Transaction) async throws -> [Result<Int64, StoreError>] {
        // Posts carry leases only when clustering is on: otherwise no statement is run for them.
        let leases = items.compactMap(\.message.lease)
        let fencedOff = leases.isEmpty ? [] : try await PostgresLeaseFence.lost(leases, in: transaction)
        // Within the batch, the first of a repeated stanza-id wins, as on SQLite.
        var seen = Set<String>(minimumCapacity: items.count)
        let firsts = items.map { item in
            let fenced = item.message.lease.map(fencedOff.contains) ?? false
            return !fenced && seen.insert(item.message.stanzaID).inserted
        }
        let candidates = zip(items, firsts).filter(\.1).map(\.0)
        var archived = Set<String>()
        var lastDrawn: [String: Int64] = [:]
        for (kind, key, last) in try await transaction.execute(DrawSequences(candidates: candidates)) {
            if kind == DrawSequences.archived { archived.insert(key) } else { lastDrawn[key] = last }
        }
        var fresh: [ArchiveBatchInsert.Item] = []
        var perRoom: [String: Int64] = [:]
        for item in candidates where !archived.contains(item.message.stanzaID) {
            fresh.append(item)
            perRoom[item.message.room, default: 0] += 1
        }
        var next: [String: Int64] = [:]
        for (room, count) in perRoom {
            if let last = lastDrawn[room] { next[room] = last - count + 1 }
        }
        var sequences: [Int64] = []
        sequences.reserveCapacity(fresh.count)
        for item in fresh {
            guard let sequence = next[item.message.room] else {
                throw StoreError(.other, "no sequence drawn for room \(item.message.room)")
            }
            sequences.append(sequence)
            next[item.message.room] = sequence + 1
        }
        // ON CONFLICT: another node may have archived one of these stanza-ids since the look-up.
        let inserted = fresh.isEmpty ? [] : Set(try await transaction.execute(InsertMessages(items: fresh, sequences: sequences)))
        var sequenceOf: [String: Int64] = [:]
        var claims: [PostgresFileClaims.Claim] = []
        for (item, sequence) in zip(fresh, sequences) where inserted.contains(item.message.stanzaID) {
            sequenceOf[item.message.stanzaID] = sequence
            let message = item.message
            // A file id with a NUL names no file (PostgreSQL's text holds none).
            claims += message.files.filter(PostgresText.isStorable).map {
                .init(file: $0, room: message.room, stanzaID: message.stanzaID, time: item.timestamp)
            }
        }
        // Uploaded files the archived messages carry belong to them from this commit on.
        if !claims.isEmpty { try await transaction.execute(PostgresFileClaims(claims: claims)) }
        return zip(items, firsts).map { item, first in
            let stanzaID = item.message.stanzaID
            if let lease = item.message.lease, fencedOff.contains(lease) { return .failure(PostgresLeaseFence.lostError(lease)) }
            guard first, let sequence = sequenceOf[stanzaID] else {
                return .failure(StoreError(.conflict, "stanza ID \(stanzaID.prefix(64)) is already archived"))
            }
            return .success(sequence)
        }
    }

    /// For a batch's messages (stanza-ids unique within it): the stanza-ids already archived,
    /// and for each room the last of the sequences drawn for its other messages (rooms locked
    /// in name order). Rows: (`archived`, stanza-id, 0) or (`drawn`, room, last sequence).
    struct DrawSequences: PostgresPreparedStatement {
        static let archived = "archived"
        static let sql = """
            WITH batch AS (
                SELECT room, stanza_id FROM unnest($1::text[], $2::text[]) AS t(room, stanza_id)
            ), archived AS (
                SELECT stanza_id FROM room_messages WHERE stanza_id = ANY($2::text[])
            ), wanted AS (
                SELECT room, count(*) AS n FROM batch
                WHERE NOT EXISTS (SELECT 1 FROM archived a WHERE a.stanza_id = batch.stanza_id)
                GROUP BY room
            ), drawn AS (
                INSERT INTO room_counters AS c (room, last_sequence)
                SELECT room, n FROM wanted ORDER BY room
                ON CONFLICT (room) DO UPDATE SET last_sequence = c.last_sequence + excluded.last_sequence
                RETURNING room, last_sequence
            )
            SELECT 'archived', stanza_id, 0::bigint FROM archived
            UNION ALL
            SELECT 'drawn', room, last_sequence FROM drawn
            """
        typealias Row = (String, String, Int64)
        let candidates: [ArchiveBatchInsert.Item]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(candidates.map(\.message.room))
            bindings.append(candidates.map(\.message.stanzaID))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Inserts every message of a batch in one statement, in order (ids follow the order of the
    /// arrays); returns the stanza-ids inserted.
    struct InsertMessages: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                       body, subject, stanza, alert, retracted)
            SELECT room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                   body, CASE WHEN has_subject THEN subject END, stanza, alert, retracted
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                        $8::text[], $9::text[], $10::boolean[], $11::text[], $12::boolean[], $13::boolean[])
                WITH ORDINALITY AS t(room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                     body, subject, has_subject, stanza, alert, retracted, position)
            ORDER BY position
            ON CONFLICT (stanza_id) DO NOTHING
            RETURNING stanza_id
            """
        typealias Row = String
        let items: [ArchiveBatchInsert.Item]
        let sequences: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 13)
            bindings.append(items.map(\.message.room))
            bindings.append(sequences)
            bindings.append(items.map(\.message.stanzaID))
            bindings.append(items.map(\.message.senderJID))
            bindings.append(items.map(\.message.nick))
            bindings.append(items.map(\.message.occupantID))
            bindings.append(items.map(\.timestamp))
            bindings.append(items.map(\.message.body))
            // Arrays of optionals do not bind: the subject and whether there is one, apart.
            bindings.append(items.map { $0.message.subject ?? "" })
            bindings.append(items.map { $0.message.subject != nil })
            bindings.append(items.map(\.message.stanza))
            bindings.append(items.map(\.message.alert))
            bindings.append(items.map(\.message.retracted))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }
}
