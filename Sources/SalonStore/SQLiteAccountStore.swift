import Foundation
import GRDB
import SalonSecurity

/// `AccountStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteAccountStore: AccountStore {
    let access: StoreAccess

    /// Creates an account with `credentials`; throws userExists if `jid` already has one.
    func create(jid: String, credentials: [SCRAMCredentials]) async throws {
        try InputLimits.checkAccountJID(jid)
        try credentials.forEach { try $0.validate() }
        let now = InputLimits.nowMilliseconds()
        try await access.write { db in
            if try db.userExists(jid) {
                throw StoreError(.userExists, "account \(jid) already exists")
            }
            try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES (?, ?)", arguments: [jid, now])
            try Self.insert(credentials, for: jid, db)
        }
    }

    /// Replaces all of the account's credentials with `credentials` (a new password): the
    /// room pages' sessions signed in with the old one end with it. Throws userNotFound.
    func setCredentials(jid: String, credentials: [SCRAMCredentials]) async throws {
        try credentials.forEach { try $0.validate() }
        try await access.write { db in
            try db.requireUser(jid)
            try db.execute(sql: "DELETE FROM credentials WHERE jid = ?", arguments: [jid])
            try db.execute(sql: "DELETE FROM web_sessions WHERE account = ?", arguments: [jid])
            try Self.insert(credentials, for: jid, db)
        }
    }

    /// Deletes the account with its credentials, roster and offline messages; throws userNotFound.
    func delete(jid: String) async throws {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM users WHERE jid = ?", arguments: [jid])
            guard db.changesCount > 0 else {
                throw StoreError(.userNotFound, "no account \(jid)")
            }
            // Foreign keys cascade to credentials, roster items and offline messages.
            // The roster version survives, bumped, so a re-created account never repeats one.
            try SQLiteRosterStore.bumpVersion(owner: jid, db)
        }
    }

    /// Whether an account exists for `jid`.
    func exists(jid: String) async throws -> Bool {
        try await access.read { db in try db.userExists(jid) }
    }

    /// The account's credential for `algorithm`, or nil if the account or that credential is absent.
    func credential(jid: String, algorithm: HashAlgorithm) async throws -> SCRAMCredentials? {
        try await access.lookUp { db in try Self.credential(jid: jid, algorithm: algorithm, db) }
    }

    /// `credential(jid:algorithm:)`, answered on a GRDB thread: the cheapest way for a login.
    func credential(jid: String, algorithm: HashAlgorithm,
                           completion: @escaping @Sendable (Result<SCRAMCredentials?, any Error>) -> Void) {
        access.lookUp({ db in try Self.credential(jid: jid, algorithm: algorithm, db) }, completion: completion)
    }

    private static func credential(jid: String, algorithm: HashAlgorithm, _ db: Database) throws -> SCRAMCredentials? {
        let statement = try db.cachedStatement(sql: """
            SELECT salt, iterations, stored_key, server_key
            FROM credentials WHERE jid = ? AND mechanism = ?
            """)
        return try Row.fetchOne(statement, arguments: [jid, SCRAMCredentials.mechanism(of: algorithm)])
            .map { try credential(from: $0, algorithm: algorithm) }
    }

    /// All of the account's credentials, sorted by mechanism (empty if the account is absent).
    func credentials(jid: String) async throws -> [SCRAMCredentials] {
        try await access.read { db in
            try Row.fetchAll(db, sql: """
                SELECT mechanism, salt, iterations, stored_key, server_key
                FROM credentials WHERE jid = ? ORDER BY mechanism
                """, arguments: [jid])
            .compactMap { row in
                // A mechanism the store never writes (a row edited by hand) is no credential.
                try SCRAMCredentials.algorithm(ofMechanism: row["mechanism"]).map { try Self.credential(from: row, algorithm: $0) }
            }
        }
    }

    /// The bare JIDs of all accounts, or of those ending with "@domain", sorted.
    func list(domain: String?) async throws -> [String] {
        try await access.read { db in
            if let domain {
                return try String.fetchAll(db, sql: """
                    SELECT jid FROM users WHERE \(Self.domainFilter) ORDER BY jid
                    """, arguments: ["@" + domain])
            }
            return try String.fetchAll(db, sql: "SELECT jid FROM users ORDER BY jid")
        }
    }

    /// How many accounts exist, overall or ending with "@domain".
    func count(domain: String?) async throws -> Int {
        try await access.read { db in
            if let domain {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE \(Self.domainFilter)",
                                        arguments: ["@" + domain]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0
        }
    }

    /// The service metadata value for `key` (e.g. "admin-created"), or nil.
    func metadata(_ key: String) async throws -> String? {
        try await access.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = ?", arguments: [key])
        }
    }

    /// The service metadata value for `key`, storing `candidate` first when there is none (in
    /// one transaction, so processes starting at once agree on the value).
    func metadata(_ key: String, storingIfAbsent candidate: String) async throws -> String {
        try InputLimits.checkMetadataKey(key)
        return try await access.write { db in
            try db.execute(sql: "INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                           arguments: [key, candidate])
            return try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = ?", arguments: [key]) ?? candidate
        }
    }

    /// Sets the service metadata value for `key`; nil removes it.
    func setMetadata(_ key: String, _ value: String?) async throws {
        try InputLimits.checkMetadataKey(key)
        try await access.write { db in
            if let value {
                try db.execute(sql: """
                    INSERT INTO metadata (key, value) VALUES (?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM metadata WHERE key = ?", arguments: [key])
            }
        }
    }

    // MARK: - Rows

    /// Matches jids ending with the bound suffix ("@domain"); LIKE would treat "_" and "%" as
    /// wildcards and fold case, so compare the tail exactly.
    private static let domainFilter = "substr(jid, -length(?1)) = ?1 AND length(jid) > length(?1)"

    /// Inserts `credentials`; a repeated mechanism keeps the last one given.
    static func insert(_ credentials: [SCRAMCredentials], for jid: String, _ db: Database) throws {
        for credential in credentials {
            try db.execute(sql: """
                INSERT INTO credentials (jid, mechanism, salt, iterations, stored_key, server_key)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (jid, mechanism) DO UPDATE SET
                    salt = excluded.salt, iterations = excluded.iterations,
                    stored_key = excluded.stored_key, server_key = excluded.server_key
                """, arguments: [jid, SCRAMCredentials.mechanism(of: credential.algorithm), Data(credential.salt), credential.iterations,
                                 Data(credential.storedKey), Data(credential.serverKey)])
        }
    }

    static func credential(from row: Row, algorithm: HashAlgorithm) throws -> SCRAMCredentials {
        SCRAMCredentials(
            algorithm: algorithm,
            salt: [UInt8](try row.decode(Data.self, forColumn: "salt")),
            iterations: try row.decode(Int.self, forColumn: "iterations"),
            storedKey: [UInt8](try row.decode(Data.self, forColumn: "stored_key")),
            serverKey: [UInt8](try row.decode(Data.self, forColumn: "server_key")))
    }
}
