import GRDB

extension StoreAccess {
    /// Writes in one IMMEDIATE transaction committed with `synchronous = FULL`, so the commit
    /// survives a power loss too (the database's NORMAL only guarantees it survives a crash).
    func writeDurably<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.writeWithoutTransaction { db in
                try db.withFullSync {
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        return .commit
                    }
                    guard let result else {
                        throw StoreError(.other, "durable write committed without a result")
                    }
                    return result
                }
            }
        } catch {
            throw StoreError.wrapping(error)
        }
    }
}

extension Database {
    /// Runs `body` with `synchronous = FULL`, so what it commits survives a power loss too (the
    /// database's NORMAL only guarantees it survives a crash); back to NORMAL afterwards.
    func withFullSync<T>(_ body: () throws -> T) throws -> T {
        // Cached: the archive writer switches for every group commit, and parsing is the dear part.
        try cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
        // If restoring fails, the connection merely stays on the safer, slower setting.
        defer { try? cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute() }
        return try body()
    }
}
