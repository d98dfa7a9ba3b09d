import Foundation
import GRDB

/// `WebSessionStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLiteWebSessionStore: WebSessionStore {
    let access: StoreAccess

    /// Records a new session under the token's hash; removes the account's oldest sessions past
    /// `maxPerAccount` and every expired one. Throws userNotFound for an unknown account.
    func create(tokenHash: String, account: String, expires: Date, maxPerAccount: Int, now: Date) async throws {
        try PostgresText.check(tokenHash, "session token hash")
        try await access.write { db in
            try db.requireUser(account)
            try db.execute(sql: "DELETE FROM web_sessions WHERE expires_at <= ?", arguments: [Self.millis(now)])
            try db.execute(sql: "INSERT INTO web_sessions (token_hash, account, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, account, Self.millis(now), Self.millis(expires)])
            try db.execute(sql: """
                DELETE FROM web_sessions WHERE account = ? AND token_hash NOT IN
                    (SELECT token_hash FROM web_sessions WHERE account = ? ORDER BY created_at DESC, token_hash LIMIT ?)
                """, arguments: [account, account, max(1, maxPerAccount)])
        }
    }

    /// The live session with this token hash, or nil (unknown, or expired).
    func session(tokenHash: String, now: Date) async throws -> WebSession? {
        try await access.lookUp { db in
            let row = try Row.fetchOne(db, sql: "SELECT account, created_at, expires_at FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
                                       arguments: [tokenHash, Self.millis(now)])
            return row.map { WebSession(account: $0["account"], created: Self.date($0["created_at"]), expires: Self.date($0["expires_at"])) }
        }
    }

    /// Ends one session (signing out); true when it existed.
    @discardableResult
    func end(tokenHash: String) async throws -> Bool {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE token_hash = ?", arguments: [tokenHash])
            return db.changesCount > 0
        }
    }

    /// Ends every session of the account; returns how many.
    @discardableResult
    func endAll(account: String) async throws -> Int {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE account = ?", arguments: [account])
            return db.changesCount
        }
    }

    /// How many sessions the account has (live or not yet swept).
    func count(account: String) async throws -> Int {
        try await access.lookUp { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM web_sessions WHERE account = ?", arguments: [account]) ?? 0
        }
    }
}

extension SalonSchema {
    /// `v12-web-sessions`: sessions of the room-management pages, gone with their account.
    static func createWebSessions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE web_sessions (
                token_hash TEXT NOT NULL PRIMARY KEY,
                account TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX web_sessions_by_account ON web_sessions (account, created_at);
            CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
            """)
    }
}
