import Foundation

/// A signed-in session of the room-management pages, as the store keeps it: the token's
/// SHA-256 (never the token), the account, and when it expires.
public struct WebSession: Sendable, Hashable {
    public var account: String
    public var created: Date
    public var expires: Date

    public init(account: String, created: Date, expires: Date) {
        self.account = account
        self.created = created
        self.expires = expires
    }
}

/// Sessions of the room-management pages, on whichever backend the deployment uses
/// (`SQLiteWebSessionStore`, `PostgresWebSessionStore`). A session belongs to its account (a
/// foreign key with cascade): deleting the account ends every session it had, and a new
/// password ends them too (`AccountStore.setCredentials`), whichever front end makes the change.
public protocol WebSessionStore: Sendable {
    /// Records a new session under the token's hash; removes the account's oldest sessions past
    /// `maxPerAccount` and every expired one. Throws userNotFound for an unknown account.
    func create(tokenHash: String, account: String, expires: Date, maxPerAccount: Int, now: Date) async throws

    /// The live session with this token hash at `now`, or nil (unknown, or expired).
    func session(tokenHash: String, now: Date) async throws -> WebSession?

    /// Ends one session (signing out); true when it existed.
    @discardableResult
    func end(tokenHash: String) async throws -> Bool

    /// Ends every session of the account; returns how many.
    @discardableResult
    func endAll(account: String) async throws -> Int

    /// How many sessions the account has (live or not yet swept).
    func count(account: String) async throws -> Int
}

extension WebSessionStore {
    /// `create` as of now.
    public func create(tokenHash: String, account: String, expires: Date, maxPerAccount: Int) async throws {
        try await create(tokenHash: tokenHash, account: account, expires: expires, maxPerAccount: maxPerAccount, now: Date())
    }

    /// The session with this token hash if it is live now.
    public func session(tokenHash: String) async throws -> WebSession? {
        try await session(tokenHash: tokenHash, now: Date())
    }

    static func millis(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
