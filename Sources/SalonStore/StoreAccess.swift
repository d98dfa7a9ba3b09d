import GRDB

/// Runs store operations through GRDB's async API, so callers (event loops) never block,
/// and reports every failure as a StoreError.
struct StoreAccess: Sendable {
    let writer: any DatabaseWriter

    /// Reads in a snapshot (a WAL reader for pools: never waits for the writer).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// One lookup on a WAL reader, its result handed to `completion` on the reader's thread.
    /// Neither a task nor a transaction (a single statement is its own snapshot): about half
    /// the cost of `read`, for the lookups every login makes.
    func lookUp<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T,
                             completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        writer.asyncUnsafeRead { connection in
            do {
                completion(.success(try body(try connection.get())))
            } catch {
                completion(.failure(StoreError.wrapping(error)))
            }
        }
    }

    /// `lookUp` for async callers.
    func lookUp<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            lookUp(body) { continuation.resume(with: $0) }
        }
    }

    /// Writes in one IMMEDIATE transaction, so read-then-write never races another process.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw StoreError.wrapping(error)
        }
    }
}

extension Database {
    /// Whether an account row exists for `jid`; used to report userNotFound instead of a foreign-key failure.
    func userExists(_ jid: String) throws -> Bool {
        try Bool.fetchOne(self, sql: "SELECT EXISTS(SELECT 1 FROM users WHERE jid = ?)", arguments: [jid]) ?? false
    }

    /// Throws userNotFound unless an account row exists for `jid`.
    func requireUser(_ jid: String) throws {
        guard try userExists(jid) else {
            throw StoreError(.userNotFound, "no account \(jid)")
        }
    }
}
