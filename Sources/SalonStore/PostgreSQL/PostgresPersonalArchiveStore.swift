import Foundation
import PostgresNIO

extension PersonalMessage: PostgresArchiveRecord {
    static var postgresColumns: String { "m.owner, m.stanza_id, m.with_full, m.outgoing, m.timestamp, m.body, m.stanza" }

    init(postgres row: PostgresRow) throws {
        let (owner, stanzaID, with, outgoing, timestamp, body, stanza) =
            try row.decode((String, String, String, Bool, Int64, String, String).self)
        self.init(owner: owner, stanzaID: stanzaID, with: with, outgoing: outgoing,
                  timestamp: Date(timeIntervalSince1970: Double(timestamp) / 1000), body: body, stanza: stanza)
    }
}

/// `PersonalArchiveStore` on PostgreSQL: queries share the rooms' filter and pager
/// (`PostgresArchivePaging` over `ArchiveTable.accounts`); appends go through the node's
/// `PostgresArchiveWriter`; an account's rows and preferences are deleted with it (foreign keys).
struct PostgresPersonalArchiveStore: PersonalArchiveStore {
    let access: PostgresAccess

    func query(_ query: ArchiveQuery) async throws -> ArchiveResultPage<PersonalMessage> {
        guard query.rooms.count == 1 else { throw ArchiveError(.invalid, "name exactly one account") }
        let paging = try PostgresArchivePaging<PersonalMessage>(query)
        return try await access.transaction { transaction in try await paging.run(transaction) }
    }

    func bounds(owner: String) async throws -> (first: PersonalMessage?, last: PersonalMessage?) {
        guard PostgresText.isStorable(owner) else { return (nil, nil) }
        let columns = PersonalMessage.postgresColumns
        let rows = try await access.query("""
            (SELECT \(unescaped: columns) FROM account_messages m WHERE m.owner = \(owner) ORDER BY m.id LIMIT 1)
            UNION ALL
            (SELECT \(unescaped: columns) FROM account_messages m WHERE m.owner = \(owner) ORDER BY m.id DESC LIMIT 1)
            """)
        let messages = try rows.map(PersonalMessage.init(postgres:))
        return (messages.first, messages.last)
    }

    func preferences(owner: String) async throws -> ArchivePreferences {
        guard PostgresText.isStorable(owner) else { return .initial }
        let rows = try await access.execute(PreferencesOf(owners: [owner]))
        return Self.preferences(rows)[owner] ?? .initial
    }

    func setPreferences(owner: String, _ preferences: ArchivePreferences) async throws -> ArchivePreferences {
        let stored = try preferences.storable(owner: owner)
        try await access.transaction { transaction in
            // The owner's row held: one owner's preferences change one at a time across nodes.
            try await transaction.requireOwner(owner)
            try await transaction.query("""
                INSERT INTO archive_preferences (owner, default_mode) VALUES (\(owner), \(stored.default.rawValue))
                ON CONFLICT (owner) DO UPDATE SET default_mode = excluded.default_mode
                """)
            try await transaction.query("DELETE FROM archive_preference_jids WHERE owner = \(owner)")
            let jids = stored.never + stored.always
            let always = stored.never.map { _ in false } + stored.always.map { _ in true }
            if !jids.isEmpty {
                try await transaction.query("""
                    INSERT INTO archive_preference_jids (owner, jid, always)
                    SELECT \(owner), jid, always FROM unnest(\(jids)::text[], \(always)::boolean[]) AS t(jid, always)
                    """)
            }
        }
        return stored
    }

    /// The preferences of every owner `PreferencesOf` found (an account without any has `initial`).
    static func preferences(_ rows: [PreferencesOf.Row]) -> [String: ArchivePreferences] {
        var found: [String: ArchivePreferences] = [:]
        for (owner, mode, jid, always) in rows {
            guard let mode else {
                found[owner] = .initial
                continue
            }
            var preferences = found[owner] ?? ArchivePreferences(default: .init(rawValue: mode) ?? .always, always: [], never: [])
            if let jid, let always {
                if always { preferences.always.append(jid) } else { preferences.never.append(jid) }
            }
            found[owner] = preferences
        }
        return found
    }

    /// The accounts among `owners` with their preferences, one row per listed JID (JIDs in
    /// order, as SQLite lists them). Each account's row is held `FOR KEY SHARE` until the
    /// transaction ends (in an append: it cannot be deleted before the copies are inserted;
    /// alone, the lock ends with the statement). Parsed once per pooled connection: every
    /// personal append reads it.
    struct PreferencesOf: PostgresPreparedStatement {
        static let sql = """
            SELECT u.jid, p.default_mode, j.jid, j.always FROM users u
            LEFT JOIN archive_preferences p ON p.owner = u.jid
            LEFT JOIN archive_preference_jids j ON j.owner = u.jid
            WHERE u.jid = ANY($1::text[]) ORDER BY u.jid, j.jid FOR KEY SHARE OF u
            """
        typealias Row = (String, String?, String?, Bool?)
        let owners: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(owners)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
