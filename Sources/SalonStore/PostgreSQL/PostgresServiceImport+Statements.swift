import PostgresNIO

/// The multi-row inserts of an import on PostgreSQL: one statement per batch of UNNESTed
/// arrays, in the batch's order, skipping rows already here (`ON CONFLICT DO NOTHING`) and
/// returning the keys of those inserted, so the report counts added and present.
extension PostgresServiceImport {
    /// Accounts' archived messages (their counts rows locked first, as the personal writer does):
    /// the writer's insert, skipping and naming what is already here.
    struct ImportPersonalMessages: PostgresPreparedStatement {
        static let sql = PostgresPersonalArchiveInsert.InsertCopies.sql + """

            ON CONFLICT (stanza_id) DO NOTHING
            RETURNING stanza_id
            """
        typealias Row = String
        let messages: [PersonalMessage]

        func makeBindings() throws -> PostgresBindings {
            PostgresPersonalArchiveInsert.InsertCopies.bindings(messages.map { ($0, SQLiteFileStore.ms($0.timestamp)) })
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Posted files' records, claimed by their message from their completion on, as on SQLite.
    struct ImportFiles: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO files (id, uploader, name, size, content_type, created_at, expires_at, completed_at,
                               sha256, room, stanza_id, claimed_at)
            SELECT id, uploader, name, size, content_type, created_at, expires_at, completed_at,
                   CASE WHEN has_sha256 THEN sha256 END, room, stanza_id, completed_at
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
                        $9::text[], $10::boolean[], $11::text[], $12::text[])
                WITH ORDINALITY AS t(id, uploader, name, size, content_type, created_at, expires_at, completed_at,
                                     sha256, has_sha256, room, stanza_id, position)
            ORDER BY position
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """
        typealias Row = String
        let files: [FileRecord]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 12)
            bindings.append(files.map(\.id))
            bindings.append(files.map(\.uploader))
            bindings.append(files.map(\.name))
            bindings.append(files.map(\.size))
            bindings.append(files.map(\.contentType))
            bindings.append(files.map { SQLiteFileStore.ms($0.created) })
            bindings.append(files.map { SQLiteFileStore.ms($0.expires) })
            bindings.append(files.map { SQLiteFileStore.ms($0.completed ?? $0.created) })
            // Arrays of optionals do not bind: the hash and whether there is one, apart.
            bindings.append(files.map { $0.sha256 ?? "" })
            bindings.append(files.map { $0.sha256 != nil })
            bindings.append(files.map { $0.room ?? "" })
            bindings.append(files.map { $0.stanzaID ?? "" })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Journal rows as they are (sequence, hashes and export marks kept): they continue the chain.
    struct ImportJournal: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO compliance_events (seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash, exported_at)
            SELECT seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash,
                   CASE WHEN has_exported THEN exported_at END
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::bigint[], $11::boolean[])
                AS t(seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash, exported_at, has_exported)
            ORDER BY seq
            """
        typealias Row = ()
        let records: [ComplianceRecord]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(records.map(\.seq))
            bindings.append(records.map(\.time))
            bindings.append(records.map(\.type))
            bindings.append(records.map(\.actorBare))
            bindings.append(records.map(\.actorFull))
            bindings.append(records.map(\.room))
            bindings.append(records.map(\.payload))
            bindings.append(records.map(\.prevHash))
            bindings.append(records.map(\.hash))
            bindings.append(records.map { $0.exportedAt ?? 0 })
            bindings.append(records.map { $0.exportedAt != nil })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
