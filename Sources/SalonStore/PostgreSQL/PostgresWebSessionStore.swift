import Foundation
import PostgresNIO

/// `WebSessionStore` on PostgreSQL: the same rules as `SQLiteWebSessionStore`. A create locks
/// the account's user row first, so the bound per account holds across nodes; a new password
/// ends the sessions in `PostgresAccountStore.setCredentials`' transaction.
struct PostgresWebSessionStore: WebSessionStore {
    let access: PostgresAccess

    func create(tokenHash: String, account: String, expires: Date, maxPerAccount: Int, now: Date) async throws {
        try PostgresText.check(tokenHash, "session token hash")
        let (createdAt, expiresAt) = (Self.millis(now), Self.millis(expires))
        try await access.transaction { transaction in
            try await transaction.requireOwner(account)
            try await transaction.query("DELETE FROM web_sessions WHERE expires_at <= \(createdAt)")
            try await transaction.query("""
                INSERT INTO web_sessions (token_hash, account, created_at, expires_at) VALUES (\(tokenHash), \(account), \(createdAt), \(expiresAt))
                """)
            try await transaction.query("""
                DELETE FROM web_sessions WHERE account = \(account) AND token_hash NOT IN
                    (SELECT token_hash FROM web_sessions WHERE account = \(account) ORDER BY created_at DESC, token_hash LIMIT \(max(1, maxPerAccount)))
                """)
        }
    }

    func session(tokenHash: String, now: Date) async throws -> WebSession? {
        guard PostgresText.isStorable(tokenHash) else { return nil }
        return try await access.execute(LiveSession(tokenHash: tokenHash, now: Self.millis(now))).first.map {
            WebSession(account: $0.0, created: Self.date($0.1), expires: Self.date($0.2))
        }
    }

    @discardableResult
    func end(tokenHash: String) async throws -> Bool {
        guard PostgresText.isStorable(tokenHash) else { return false }
        return try await !access.query("DELETE FROM web_sessions WHERE token_hash = \(tokenHash) RETURNING 1").isEmpty
    }

    @discardableResult
    func endAll(account: String) async throws -> Int {
        guard PostgresText.isStorable(account) else { return 0 }
        return try await access.query("DELETE FROM web_sessions WHERE account = \(account) RETURNING 1").count
    }

    func count(account: String) async throws -> Int {
        guard PostgresText.isStorable(account) else { return 0 }
        return try await access.query("SELECT count(*) FROM web_sessions WHERE account = \(account)").first?.decode(Int.self) ?? 0
    }

    /// Every request of a signed-in page, parsed once per pooled connection.
    struct LiveSession: PostgresPreparedStatement {
        static let sql = "SELECT account, created_at, expires_at FROM web_sessions WHERE token_hash = $1 AND expires_at > $2"
        typealias Row = (String, Int64, Int64)
        let tokenHash: String
        let now: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(tokenHash)
            bindings.append(now)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }
}
