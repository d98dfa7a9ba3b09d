import NIOCore
import PostgresNIO
import SalonSecurity

/// `AccountStore` on PostgreSQL: the same rules as `SQLiteAccountStore`, every value a bound
/// parameter, each change one transaction.
struct PostgresAccountStore: AccountStore {
    let access: PostgresAccess

    func create(jid: String, credentials: [SCRAMCredentials]) async throws {
        // Refuses a NUL character too, which PostgreSQL's text cannot hold.
        try InputLimits.checkAccountJID(jid)
        try credentials.forEach { try $0.validate() }
        let now = InputLimits.nowMilliseconds()
        try await access.transaction { transaction in
            // ON CONFLICT rather than a check first: two nodes creating the same account at
            // once both get an answer, one of them userExists.
            let inserted = try await transaction.query("""
                INSERT INTO users (jid, created_at) VALUES (\(jid), \(now)) ON CONFLICT (jid) DO NOTHING RETURNING jid
                """)
            guard !inserted.isEmpty else {
                throw StoreError(.userExists, "account \(jid) already exists")
            }
            try await Self.insert(credentials, for: jid, transaction)
        }
    }

    func setCredentials(jid: String, credentials: [SCRAMCredentials]) async throws {
        try credentials.forEach { try $0.validate() }
        guard PostgresText.isStorable(jid) else { throw StoreError(.userNotFound, "no account \(jid)") }
        try await access.transaction { transaction in
            // FOR UPDATE: a delete on another node waits for this change, or this one fails.
            guard try await !transaction.query("SELECT 1 FROM users WHERE jid = \(jid) FOR UPDATE").isEmpty else {
                throw StoreError(.userNotFound, "no account \(jid)")
            }
            try await transaction.query("DELETE FROM credentials WHERE jid = \(jid)")
            // The room pages' sessions signed in with the old password end with it.
            try await transaction.query("DELETE FROM web_sessions WHERE account = \(jid)")
            try await Self.insert(credentials, for: jid, transaction)
        }
    }

    func delete(jid: String) async throws {
        guard PostgresText.isStorable(jid) else { throw StoreError(.userNotFound, "no account \(jid)") }
        try await access.transaction { transaction in
            // Foreign keys cascade to credentials (and to every owned table as stores move here).
            guard try await !transaction.query("DELETE FROM users WHERE jid = \(jid) RETURNING jid").isEmpty else {
                throw StoreError(.userNotFound, "no account \(jid)")
            }
            try await transaction.query("""
                INSERT INTO roster_versions (owner, version) VALUES (\(jid), 1)
                ON CONFLICT (owner) DO UPDATE SET version = roster_versions.version + 1
                """)
        }
    }

    func exists(jid: String) async throws -> Bool {
        guard PostgresText.isStorable(jid) else { return false }
        return try await !access.query("SELECT 1 FROM users WHERE jid = \(jid)").isEmpty
    }

    func credential(jid: String, algorithm: HashAlgorithm) async throws -> SCRAMCredentials? {
        guard PostgresText.isStorable(jid) else { return nil }
        let rows = try await access.execute(CredentialLookup(jid: jid, mechanism: SCRAMCredentials.mechanism(of: algorithm)))
        return rows.first.map { Self.credential($0, algorithm: algorithm) }
    }

    func credential(jid: String, algorithm: HashAlgorithm,
                    completion: @escaping @Sendable (Result<SCRAMCredentials?, any Error>) -> Void) {
        Task {
            do {
                completion(.success(try await credential(jid: jid, algorithm: algorithm)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    func credentials(jid: String) async throws -> [SCRAMCredentials] {
        guard PostgresText.isStorable(jid) else { return [] }
        let rows = try await access.query("""
            SELECT mechanism, salt, iterations, stored_key, server_key
            FROM credentials WHERE jid = \(jid) ORDER BY mechanism
            """)
        return try rows.compactMap { row in
            let (mechanism, salt, iterations, storedKey, serverKey) =
                try row.decode((String, ByteBuffer, Int, ByteBuffer, ByteBuffer).self)
            // A mechanism the store never writes (a row edited by hand) is no credential.
            return SCRAMCredentials.algorithm(ofMechanism: mechanism).map {
                Self.credential((salt, iterations, storedKey, serverKey), algorithm: $0)
            }
        }
    }

    func list(domain: String?) async throws -> [String] {
        guard PostgresText.isStorable(domain ?? "") else { return [] }
        let rows: [PostgresRow]
        if let domain {
            let suffix = "@" + domain
            rows = try await access.query("""
                SELECT jid FROM users WHERE right(jid, length(\(suffix))) = \(suffix) AND length(jid) > length(\(suffix))
                ORDER BY jid
                """)
        } else {
            rows = try await access.query("SELECT jid FROM users ORDER BY jid")
        }
        return try rows.map { try $0.decode(String.self) }
    }

    func count(domain: String?) async throws -> Int {
        guard PostgresText.isStorable(domain ?? "") else { return 0 }
        let rows: [PostgresRow]
        if let domain {
            let suffix = "@" + domain
            rows = try await access.query("""
                SELECT count(*) FROM users WHERE right(jid, length(\(suffix))) = \(suffix) AND length(jid) > length(\(suffix))
                """)
        } else {
            rows = try await access.query("SELECT count(*) FROM users")
        }
        return try rows.first?.decode(Int.self) ?? 0
    }

    func metadata(_ key: String) async throws -> String? {
        guard PostgresText.isStorable(key) else { return nil }
        return try await access.query("SELECT value FROM metadata WHERE key = \(key)").first?.decode(String.self)
    }

    func metadata(_ key: String, storingIfAbsent candidate: String) async throws -> String {
        try InputLimits.checkMetadataKey(key)
        try PostgresText.check(key, "metadata key")
        try PostgresText.check(candidate, "metadata value")
        return try await access.transaction { transaction in
            try await transaction.query("""
                INSERT INTO metadata (key, value) VALUES (\(key), \(candidate)) ON CONFLICT (key) DO NOTHING
                """)
            return try await transaction.query("SELECT value FROM metadata WHERE key = \(key)")
                .first?.decode(String.self) ?? candidate
        }
    }

    func setMetadata(_ key: String, _ value: String?) async throws {
        try InputLimits.checkMetadataKey(key)
        try PostgresText.check(key, "metadata key")
        if let value {
            try PostgresText.check(value, "metadata value")
            _ = try await access.query("""
                INSERT INTO metadata (key, value) VALUES (\(key), \(value))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """)
        } else {
            _ = try await access.query("DELETE FROM metadata WHERE key = \(key)")
        }
    }

    // MARK: - Rows

    /// The login's lookup, parsed once per pooled connection.
    struct CredentialLookup: PostgresPreparedStatement {
        static let sql = """
            SELECT salt, iterations, stored_key, server_key FROM credentials WHERE jid = $1 AND mechanism = $2
            """
        typealias Row = (ByteBuffer, Int, ByteBuffer, ByteBuffer)
        let jid: String
        let mechanism: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(jid)
            bindings.append(mechanism)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    /// Inserts `credentials`; a repeated mechanism keeps the last one given.
    static func insert(_ credentials: [SCRAMCredentials], for jid: String,
                               _ transaction: PostgresAccess.Transaction) async throws {
        for credential in credentials {
            let mechanism = SCRAMCredentials.mechanism(of: credential.algorithm)
            try await transaction.query("""
                INSERT INTO credentials (jid, mechanism, salt, iterations, stored_key, server_key)
                VALUES (\(jid), \(mechanism), \(ByteBuffer(bytes: credential.salt)), \(credential.iterations),
                        \(ByteBuffer(bytes: credential.storedKey)), \(ByteBuffer(bytes: credential.serverKey)))
                ON CONFLICT (jid, mechanism) DO UPDATE SET
                    salt = excluded.salt, iterations = excluded.iterations,
                    stored_key = excluded.stored_key, server_key = excluded.server_key
                """)
        }
    }

    static func credential(_ row: (ByteBuffer, Int, ByteBuffer, ByteBuffer),
                                   algorithm: HashAlgorithm) -> SCRAMCredentials {
        SCRAMCredentials(algorithm: algorithm, salt: Array(row.0.readableBytesView), iterations: row.1,
                         storedKey: Array(row.2.readableBytesView), serverKey: Array(row.3.readableBytesView))
    }
}
