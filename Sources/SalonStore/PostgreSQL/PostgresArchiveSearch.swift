import PostgresNIO

/// The text search configuration of the archives (the rooms' and the accounts') on PostgreSQL
/// (`PostgresConfiguration.textSearch`, default 'simple': no stemming, no stop words, as FTS5
/// searches on SQLite). The `body_search` columns are built with one configuration; opening the
/// backend with another rebuilds them (every archived body parsed again, under the migration
/// lock, so nodes starting at once rebuild once) and records it in `room_search`, where
/// searches and the rooms' archive writer read it. The accounts' column is generated; the
/// rooms' is written by their archive writer (`PostgresArchiveSearchVectors`) and its triggers.
enum PostgresArchiveSearch {
    /// The archives whose `body_search` is a generated column (names are constants).
    static let generatedTables = ["account_messages"]

    static func configure(_ configuration: String, _ access: PostgresAccess) async throws {
        guard PostgresText.isStorable(configuration), !configuration.isEmpty,
              configuration.utf8.count <= 128 else {
            throw StoreError(.invalidArgument, "malformed text search configuration name")
        }
        try await access.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))")
            // A configuration visible on the search path (pg_catalog's 'simple', 'english'…).
            guard let name = try await transaction.query("""
                SELECT oid::regconfig::text FROM pg_ts_config WHERE cfgname = \(configuration) AND pg_ts_config_is_visible(oid)
                """).first?.decode(String.self) else {
                throw StoreError(.invalidArgument, "PostgreSQL has no text search configuration \(configuration)")
            }
            let current = try await transaction.query("SELECT configuration FROM room_search").first?.decode(String.self)
            guard current != name else { return }
            try await transaction.query("UPDATE room_search SET configuration = \(name)")
            // The rooms' vectors are rewritten in place, their index built again after.
            try await transaction.query("DROP INDEX room_messages_search")
            try await transaction.query("""
                UPDATE room_messages SET body_search = to_tsvector(\(name)::regconfig, salon_search_text(body))
                """)
            try await transaction.query("CREATE INDEX room_messages_search ON room_messages USING gin (body_search)")
            // A generated column's expression is DDL, which takes no parameters: PostgreSQL quotes the names itself.
            for table in generatedTables {
                guard let addColumn = try await transaction.query("""
                    SELECT format('ALTER TABLE %I ADD COLUMN body_search tsvector GENERATED ALWAYS AS '
                                  '(to_tsvector(%L::regconfig, salon_search_text(body))) STORED', \(table)::text, \(name)::text)
                    """).first?.decode(String.self) else {
                    throw StoreError(.other, "could not build the archive's search column")
                }
                try await transaction.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) DROP COLUMN body_search"))
                try await transaction.query(PostgresQuery(unsafeSQL: addColumn))
                try await transaction.query(PostgresQuery(unsafeSQL: "CREATE INDEX \(table)_search ON \(table) USING gin (body_search)"))
            }
        }
    }
}
