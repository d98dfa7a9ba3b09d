import PostgresNIO

/// The PostgreSQL schema as an ordered list of named migrations, versioned apart from
/// SQLite's (`SalonSchema`): each backend has its own list, and a store moved onto the seam
/// appends its tables here. Never edit a shipped migration.
///
/// Text that SQLite compares byte by byte (JIDs, keys) is `COLLATE "C"` here, so equality and
/// `ORDER BY` agree across backends whatever the database's locale. Times are bigint
/// milliseconds since the Unix epoch, as on SQLite.
enum PostgresSchema {
    struct Migration: Sendable {
        let name: String
        /// One statement each: the extended protocol takes no batches.
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(name: "v1-accounts", statements: [
            """
            CREATE TABLE users (
                jid text COLLATE "C" NOT NULL PRIMARY KEY,
                created_at bigint NOT NULL
            )
            """,
            """
            CREATE TABLE credentials (
                jid text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                mechanism text COLLATE "C" NOT NULL,
                salt bytea NOT NULL,
                iterations bigint NOT NULL CHECK (iterations > 0),
                stored_key bytea NOT NULL,
                server_key bytea NOT NULL,
                PRIMARY KEY (jid, mechanism)
            )
            """,
            // No foreign key, as on SQLite: a roster version never repeats for a JID, even
            // when the account is deleted and created again; deleting it bumps its row.
            """
            CREATE TABLE roster_versions (
                owner text COLLATE "C" NOT NULL PRIMARY KEY,
                version bigint NOT NULL
            )
            """,
            """
            CREATE TABLE metadata (
                key text COLLATE "C" NOT NULL PRIMARY KEY,
                value text NOT NULL
            )
            """,
        ]),
        Migration(name: "v2-rosters", statements: [
            """
            CREATE TABLE roster_items (
                owner text COLLATE "C" NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                jid text COLLATE "C" NOT NULL,
                name text,
                subscription text NOT NULL DEFAULT 'none' CHECK (subscription IN ('none', 'to', 'from', 'both')),
                ask boolean NOT NULL DEFAULT false,
                groups text[] NOT NULL DEFAULT '{}',
                PRIMARY KEY (owner, jid)
            )
            """,
        ]),
        personalData,
        chat,
        roomArchive,
        files,
        personalArchive,
        searchText,
        archiveCounts,
        cluster,
        roomOccupants,
        clusterSessions,
        roomSearchVectors,
    ]

    /// The advisory lock every Salon node takes to migrate ("Salon" in ASCII): one node
    /// migrates, the others wait and then find nothing left to do.
    static let migrationLock: Int64 = 0x5361_6C6F_6E

    /// ANALYZE of every table in the schema (names quoted by the server, never by us).
    static func analyze(_ access: PostgresAccess) async throws {
        _ = try await access.query("""
            DO $$
            DECLARE
                name text;
            BEGIN
                FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                    EXECUTE format('ANALYZE %I', name);
                END LOOP;
            END
            $$
            """)
    }

    /// Applies pending migrations in one transaction under the advisory lock (PostgreSQL's DDL
    /// is transactional: a failed migration leaves nothing behind), then refuses a schema
    /// written by a newer Salon.
    static func migrate(_ access: PostgresAccess) async throws {
        try await access.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try await transaction.query("""
                CREATE TABLE IF NOT EXISTS salon_migrations (
                    name text COLLATE "C" NOT NULL PRIMARY KEY,
                    applied_at bigint NOT NULL
                )
                """)
            var applied = Set<String>()
            for row in try await transaction.query("SELECT name FROM salon_migrations") {
                applied.insert(try row.decode(String.self))
            }
            let known = Set(migrations.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError(.schemaTooNew,
                                 "the database was migrated by a newer Salon (\(unknown)); refusing to use it")
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement))
                }
                try await transaction.query("""
                    INSERT INTO salon_migrations (name, applied_at) VALUES (\(migration.name), \(InputLimits.nowMilliseconds()))
                    """)
            }
        }
    }
}
