import PostgresNIO

/// Writes one batch of personal appends on PostgreSQL in one transaction: the owners' rows
/// held (`FOR KEY SHARE`) with their preferences read, the roster asked where a `roster` default
/// needs it, the copies kept or dropped by `PersonalArchiveInsert.kept` (the rule SQLite
/// applies), then the kept ones inserted by one statement of UNNESTed arrays. Each kept owner's
/// `account_message_counts` row is locked before the insert and held until COMMIT, so two
/// nodes appending to one account insert one after the other and ids follow commit order.
enum PostgresPersonalArchiveInsert {
    /// Inserts what the owners' preferences keep; returns, per item and copy, whether it was
    /// archived. Throws (nothing written) when the transaction does not commit.
    static func insert(_ items: [PersonalArchiveInsert.Item], timestamps: [[Int64]],
                       _ access: PostgresAccess) async throws -> [[Bool]] {
        let owners = Set(items.flatMap { $0.map(\.owner) }).sorted()
        return try await access.transaction { transaction in
            let preferences = PostgresPersonalArchiveStore.preferences(
                try await transaction.execute(PostgresPersonalArchiveStore.PreferencesOf(owners: owners)))
            let asked = items.joined().filter { preferences[$0.owner]?.default == .roster }
            var contacts = Set<Contact>()
            if !asked.isEmpty {
                for (owner, jid) in try await transaction.execute(RosterContacts(owners: asked.map(\.owner), jids: asked.map(\.withBare))) {
                    contacts.insert(Contact(owner: owner, jid: jid))
                }
            }
            let kept = PersonalArchiveInsert.kept(items, preferences: preferences) { owner, contact in
                contacts.contains(Contact(owner: owner, jid: contact))
            }
            var rows: [(PersonalMessage, Int64)] = []
            for (item, (stamps, flags)) in zip(items, zip(timestamps, kept)) {
                for ((message, timestamp), archives) in zip(zip(item, stamps), flags) where archives {
                    rows.append((message, timestamp))
                }
            }
            guard !rows.isEmpty else { return kept }
            try await transaction.execute(LockCounts(owners: Set(rows.map { $0.0.owner }).sorted()))
            try await transaction.execute(InsertCopies(rows: rows))
            return kept
        }
    }

    private struct Contact: Hashable {
        let owner: String
        let jid: String
    }

    /// Which (owner, contact) pairs are in the owner's roster.
    struct RosterContacts: PostgresPreparedStatement {
        static let sql = """
            SELECT DISTINCT t.owner, t.jid FROM unnest($1::text[], $2::text[]) AS t(owner, jid)
            WHERE EXISTS (SELECT 1 FROM roster_items r WHERE r.owner = t.owner AND r.jid = t.jid)
            """
        typealias Row = (String, String)
        let owners: [String]
        let jids: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(owners)
            bindings.append(jids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Locks the counts rows of `owners` (distinct, in name order, so two nodes never
    /// deadlock), creating those missing.
    struct LockCounts: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO account_message_counts AS c (owner) SELECT unnest($1::text[]) ORDER BY 1
            ON CONFLICT (owner) DO UPDATE SET total = c.total
            """
        typealias Row = ()
        let owners: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(owners)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Inserts the kept copies in order (ids follow the order of the arrays).
    struct InsertCopies: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO account_messages (owner, stanza_id, with_full, with_bare, outgoing, timestamp, body, stanza)
            SELECT owner, stanza_id, with_full, with_bare, outgoing, timestamp, body, stanza
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[], $7::text[], $8::text[])
                WITH ORDINALITY AS t(owner, stanza_id, with_full, with_bare, outgoing, timestamp, body, stanza, position)
            ORDER BY position
            """
        typealias Row = ()
        let rows: [(PersonalMessage, Int64)]

        func makeBindings() throws -> PostgresBindings { Self.bindings(rows) }

        /// The arrays `sql` takes, from messages and their times in milliseconds (an import's
        /// statement takes the same).
        static func bindings(_ rows: [(PersonalMessage, Int64)]) -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(rows.map { $0.0.owner })
            bindings.append(rows.map { $0.0.stanzaID })
            bindings.append(rows.map { $0.0.with })
            bindings.append(rows.map { $0.0.withBare })
            bindings.append(rows.map { $0.0.outgoing })
            bindings.append(rows.map { $0.1 })
            bindings.append(rows.map { $0.0.body })
            bindings.append(rows.map { $0.0.stanza })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
