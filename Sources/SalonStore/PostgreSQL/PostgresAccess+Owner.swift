import PostgresNIO

/// What the per-account stores on PostgreSQL share: answering a completion handler, and
/// holding the owner's user row so a check made before a write still holds when it commits.
extension PostgresAccess {
    /// Runs `body` in a task and hands its result to `completion`: the completion forms the
    /// server's hot paths call.
    static func answer<T: Sendable>(_ completion: @escaping @Sendable (Result<T, any Error>) -> Void,
                                    _ body: @escaping @Sendable () async throws -> T) {
        Task {
            do {
                completion(.success(try await body()))
            } catch {
                completion(.failure(error))
            }
        }
    }
}

extension PostgresAccess.Transaction {
    /// Locks the user row of `owner` until the transaction ends; false when there is none.
    /// NO KEY UPDATE: writers of one owner's rows wait for each other across nodes, as SQLite's
    /// single writer makes them, while inserts that only reference the row (KEY SHARE) go on.
    func lockOwner(_ owner: String) async throws -> Bool {
        guard PostgresText.isStorable(owner) else { return false }
        return try await !execute(LockOwner(owner: owner)).isEmpty
    }

    /// `lockOwner`, throwing userNotFound when there is no such account.
    func requireOwner(_ owner: String) async throws {
        guard try await lockOwner(owner) else {
            throw StoreError(.userNotFound, "no account \(owner)")
        }
    }

    /// Parsed once per pooled connection: every message stored offline takes this lock.
    struct LockOwner: OwnerStatement {
        static let sql = "SELECT 1 FROM users WHERE jid = $1 FOR NO KEY UPDATE"
        typealias Row = Int
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Int.self)
        }
    }
}

/// A prepared statement whose one parameter is the account it concerns: the owner-keyed
/// lookups of the hot paths (a login's roster, blocklist and photo hash, an offline drain…).
protocol OwnerStatement: PostgresPreparedStatement {
    var owner: String { get }
}

extension OwnerStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(owner)
        return bindings
    }
}
