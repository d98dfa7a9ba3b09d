import Foundation
import GRDB

/// `PushStore` on SQLite: every method runs on GRDB's threads, never the caller's.
struct SQLitePushStore: PushStore {
    let access: StoreAccess

    /// The owner's registrations, by service then node.
    func registrations(owner: String) async throws -> [PushRegistration] {
        try await access.lookUp { db in
            let statement = try db.cachedStatement(sql: "SELECT service, node, options FROM push_registrations WHERE owner = ? ORDER BY service, node")
            return try Row.fetchAll(statement, arguments: [owner]).map {
                PushRegistration(service: $0["service"], node: $0["node"], options: $0["options"])
            }
        }
    }

    /// Adds the registration, or replaces the options of the same (service, node) (XEP-0357 §5:
    /// the last request wins). Throws limitReached (writing nothing) when a new one would make
    /// more than `limit`, userNotFound for an unknown owner.
    func enable(owner: String, _ registration: PushRegistration, limit: Int) async throws {
        try registration.check()
        try await access.write { db in
            try db.requireUser(owner)
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM push_registrations WHERE owner = ? AND service = ? AND node = ?)",
                                           arguments: [owner, registration.service, registration.node]) ?? false
            if !exists {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_registrations WHERE owner = ?", arguments: [owner]) ?? 0
                guard count < limit else { throw StoreError(.limitReached, "an account keeps at most \(limit) push registrations") }
            }
            try db.execute(sql: """
                INSERT INTO push_registrations (owner, service, node, options, enabled_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (owner, service, node) DO UPDATE SET options = excluded.options, enabled_at = excluded.enabled_at
                """, arguments: [owner, registration.service, registration.node, registration.options,
                                 Int64(Date().timeIntervalSince1970 * 1000)])
        }
    }

    /// Removes the owner's registrations with `service` (only the one with `node` when given);
    /// returns how many went.
    @discardableResult
    func disable(owner: String, service: String, node: String?) async throws -> Int {
        try await access.write { db in
            if let node {
                try db.execute(sql: "DELETE FROM push_registrations WHERE owner = ? AND service = ? AND node = ?",
                               arguments: [owner, service, node])
            } else {
                try db.execute(sql: "DELETE FROM push_registrations WHERE owner = ? AND service = ?", arguments: [owner, service])
            }
            return db.changesCount
        }
    }
}
