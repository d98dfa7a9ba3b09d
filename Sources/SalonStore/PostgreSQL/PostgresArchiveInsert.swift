import PostgresNIO

/// Writes one group commit's room messages on PostgreSQL by one statement: it draws each room's
/// sequences by one upsert of its `room_counters` row (locked until the statement's transaction
/// ends, rooms in name order so two writers never deadlock; the room's total counted there
/// too) and inserts every row from UNNESTed arrays. A batch with nothing else to write runs it
/// alone, committing by itself (`Alone`): one round trip, the counter locks held for no more
/// than the insert itself. Each message succeeds or fails alone, as on SQLite: a duplicate
/// stanza-id fails only its own append. Stanza-ids are made fresh by the server, so, as on
/// SQLite, a batch alone first trusts the unique index (`InsertNewMessages`) and looks the ids
/// up (`InsertMessages`) only when it refused one; a statement that fails writes nothing.
/// A post fenced with a lease that no longer holds (`PostgresLeaseFence`) fails alone too; posts
/// that carry a lease are written in a transaction, which holds the lease rows until COMMIT.
/// The rows' search vectors come built ahead (`PostgresArchiveSearchVectors`) or are built by
/// the statement.
enum PostgresArchiveInsert {
    /// Inserts `items` in order inside `transaction`, claiming the uploaded files the stored
    /// messages carry, and returns each one's sequence or failure; throws (failing the whole
    /// batch: the caller rolls back) when a statement fails.
    static func insert(_ items: [ArchiveBatchInsert.Item], _ transaction: PostgresAccess.Transaction,
                       vectors: PostgresArchiveSearchVectors = .notBuilt) async throws -> [Result<Int64, StoreError>] {
        // Posts carry leases only when clustering is on: otherwise no statement is run for them.
        let leases = items.compactMap(\.message.lease)
        let fencedOff = leases.isEmpty ? [] : try await PostgresLeaseFence.lost(leases, in: transaction)
        let batch = Batch(items, vectors: vectors, fencedOff: fencedOff)
        let stored = batch.fresh.isEmpty ? [] : try await transaction.execute(InsertMessages(bindings: batch.bindings()))
        let results = batch.results(stored)
        // Uploaded files the archived messages carry belong to them from this commit on.
        let claims = batch.claims(results)
        if !claims.isEmpty { try await transaction.execute(PostgresFileClaims(claims: claims)) }
        return results
    }

    /// Posts alone (no files), their statement encoded ahead of time: committed by itself, it is
    /// the whole of a group commit.
    struct Alone: Sendable {
        private let batch: Batch
        private let statement: InsertNewMessages?

        init(_ items: [ArchiveBatchInsert.Item], vectors: PostgresArchiveSearchVectors) {
            precondition(items.allSatisfy { $0.message.files.isEmpty && $0.message.lease == nil },
                         "a batch with files or leases writes in a transaction")
            batch = Batch(items, vectors: vectors)
            statement = batch.fresh.isEmpty ? nil : InsertNewMessages(bindings: batch.bindings())
        }

        /// Commits them; `executed` is called once a statement has stored them and holds their
        /// rooms' counter rows until it commits.
        func commit(_ access: PostgresAccess, executed: @escaping @Sendable () -> Void) async throws -> [Result<Int64, StoreError>] {
            guard let statement else { return batch.results([]) }
            do {
                return batch.results(try await access.execute(statement, firstRow: executed))
            } catch let error as StoreError where error.kind == .conflict {
                // One of them is archived already: look them up, in a statement of its own.
                return try await retryingConflicts {
                    batch.results(try await access.execute(InsertMessages(bindings: statement.bindings), firstRow: executed))
                }
            }
        }
    }

    /// Runs `work` again when it fails with a conflict: another writer archived one of the
    /// batch's stanza-ids between its look-up and its insert. A few times, then the conflict stands.
    static func retryingConflicts<T>(_ work: () async throws -> T) async throws -> T {
        for _ in 1..<3 {
            do {
                return try await work()
            } catch let error as StoreError where error.kind == .conflict {
                continue
            }
        }
        return try await work()
    }

    /// A batch's messages, the first of each repeated stanza-id among them kept (as on SQLite),
    /// those fenced off by a lease that moved left out.
    private struct Batch: Sendable {
        let items: [ArchiveBatchInsert.Item]
        let firsts: [Bool]
        let fresh: [ArchiveBatchInsert.Item]
        let freshVectors: PostgresArchiveSearchVectors
        let fencedOff: Set<RoomLease>

        /// `vectors`: one per item when they were built ahead.
        init(_ items: [ArchiveBatchInsert.Item], vectors: PostgresArchiveSearchVectors, fencedOff: Set<RoomLease> = []) {
            var seen = Set<String>(minimumCapacity: items.count)
            self.items = items
            self.fencedOff = fencedOff
            let firsts = items.map { item in
                let fenced = item.message.lease.map(fencedOff.contains) ?? false
                return !fenced && seen.insert(item.message.stanzaID).inserted
            }
            self.firsts = firsts
            fresh = zip(items, firsts).filter(\.1).map(\.0)
            // Vectors built for the whole batch serve only when every message in it is stored.
            freshVectors = fresh.count == items.count ? vectors : .notBuilt
        }

        /// The insert's arguments for the fresh messages.
        func bindings() -> PostgresBindings { InsertMessages.bindings(fresh, vectors: freshVectors) }

        /// Each item's sequence, given the (stanza-id, sequence) rows the insert returned; those
        /// it did not store were already archived, or repeat an earlier one of the batch.
        func results(_ stored: [(String, Int64)]) -> [Result<Int64, StoreError>] {
            let sequenceOf = Dictionary(stored, uniquingKeysWith: { first, _ in first })
            return zip(items, firsts).map { item, first in
                let stanzaID = item.message.stanzaID
                if let lease = item.message.lease, fencedOff.contains(lease) { return .failure(PostgresLeaseFence.lostError(lease)) }
                guard first, let sequence = sequenceOf[stanzaID] else {
                    return .failure(StoreError(.conflict, "stanza ID \(stanzaID.prefix(64)) is already archived"))
                }
                return .success(sequence)
            }
        }

        /// The uploaded files the stored messages carry.
        func claims(_ results: [Result<Int64, StoreError>]) -> [PostgresFileClaims.Claim] {
            zip(items, results).flatMap { item, result -> [PostgresFileClaims.Claim] in
                guard case .success = result else { return [] }
                let message = item.message
                // A file id with a NUL names no file (PostgreSQL's text holds none).
                return message.files.filter(PostgresText.isStorable).map {
                    .init(file: $0, room: message.room, stanzaID: message.stanzaID, time: item.timestamp)
                }
            }
        }
    }

    /// Inserts those of a batch's messages (stanza-ids unique within it) not archived yet, in
    /// order, and returns the (stanza-id, sequence) of each row stored. A room's new sequences
    /// run up to the `last_sequence` its counter row now holds, in the batch's order, and rows
    /// are inserted in that order (as on SQLite), so `id` follows `sequence` within a room. A stanza-id
    /// archived by another writer between look-up and insert fails the statement (conflict).
    struct InsertMessages: PostgresPreparedStatement {
        static let sql = statement(lookingUp: true)
        typealias Row = (String, Int64)
        let bindings: PostgresBindings

        func makeBindings() throws -> PostgresBindings { bindings }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }

        /// The arrays both statements take, encoded once (a writer encodes the next batch's
        /// while the one before commits), and the configuration the vectors were built with.
        static func bindings(_ items: [ArchiveBatchInsert.Item], vectors: PostgresArchiveSearchVectors) -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 14)
            bindings.append(items.map(\.message.room))
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
            bindings.append(vectors.array)
            bindings.append(vectors.configuration)
            return bindings
        }

        /// The statement, with or without the look-up of stanza-ids already archived.
        static func statement(lookingUp: Bool) -> String {
            """
            WITH batch AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                                     $7::text[], $8::text[], $9::boolean[], $10::text[], $11::boolean[], $12::boolean[],
                                     $13::tsvector[])
                    WITH ORDINALITY AS t(room, stanza_id, sender, nick, occupant_id, timestamp,
                                         body, subject, has_subject, stanza, alert, retracted, search, position)
                \(lookingUp ? "WHERE NOT EXISTS (SELECT 1 FROM room_messages m WHERE m.stanza_id = t.stanza_id)" : "")
            ), drawn AS (
                INSERT INTO room_counters AS c (room, last_sequence, total)
                SELECT room, count(*), count(*) FROM batch GROUP BY room ORDER BY room
                ON CONFLICT (room) DO UPDATE
                    SET last_sequence = c.last_sequence + excluded.last_sequence, total = c.total + excluded.total
                RETURNING room, last_sequence
            )
            INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                       body, subject, stanza, alert, retracted, body_search)
            SELECT room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                   body, CASE WHEN has_subject THEN subject END, stanza, alert, retracted,
                   -- Vectors built ahead serve if built with the configuration in force; any
                   -- other is built here.
                   COALESCE(CASE WHEN $14::text = s.configuration THEN search END,
                            to_tsvector(s.configuration::regconfig, salon_search_text(body)))
            FROM (
                SELECT b.*, d.last_sequence - count(*) OVER (PARTITION BY b.room)
                            + row_number() OVER (PARTITION BY b.room ORDER BY b.position) AS sequence
                FROM batch b JOIN drawn d ON d.room = b.room
            ) AS numbered CROSS JOIN room_search s
            ORDER BY position
            RETURNING stanza_id, sequence
            """
        }
    }

    /// `InsertMessages` trusting the unique index: for a batch of stanza-ids the server made.
    struct InsertNewMessages: PostgresPreparedStatement {
        static let sql = InsertMessages.statement(lookingUp: false)
        typealias Row = (String, Int64)
        let bindings: PostgresBindings

        func makeBindings() throws -> PostgresBindings { bindings }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
