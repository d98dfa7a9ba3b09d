import Logging
import PostgresNIO

/// Runs store operations on PostgreSQL through the client's pool, as `StoreAccess` does on
/// SQLite: every failure comes out as a StoreError, never with SQL parameters in it. Each
/// operation is admitted by `health` (refused at once as unavailable when the pool and its
/// waiting room are full) and bounded by `timeout`, its wait for a connection included
/// (`PostgresDeadline`): a database that is gone costs a caller at most that long.
struct PostgresAccess: Sendable {
    let client: PostgresClient
    let logger: Logger
    let health: PostgresHealth
    /// The longest one operation may take (`PostgresConfiguration.operationTimeout`).
    var timeout: Duration
    /// The bound of the rare operations that may touch a whole room or journal.
    var administrativeTimeout: Duration

    /// This access with another bound, for what is not a caller's request (start-up, migrations).
    func within(_ timeout: Duration) -> PostgresAccess {
        var access = self
        access.timeout = timeout
        return access
    }

    /// For administrative changes and reads of a whole room or journal (clear, remove, a room's
    /// deletion, verifying the journal): bounded by `administrativeTimeout`.
    var administrative: PostgresAccess { within(administrativeTimeout) }

    /// One statement on a pooled connection; its rows collected.
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await leased { connection in
            try await connection.query(query, logger: logger).collect()
        }
    }

    /// A prepared statement (parsed once per connection): for the lookups every login makes.
    /// `firstRow` is called when its first row arrives: PostgreSQL sends the rows of a statement
    /// that writes once it has done all its writing, before it commits.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, firstRow: @escaping @Sendable () -> Void = {})
        async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await leased { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) {
                if rows.isEmpty { firstRow() }
                rows.append(row)
            }
            return rows
        }
    }

    /// `body` in one transaction on one connection: committed when it returns, rolled back when
    /// it throws. What spans several tables (an account and what it owns) is one of these.
    func transaction<T: Sendable>(_ body: @Sendable (Transaction) async throws -> T) async throws -> T {
        try await leased { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await body(Transaction(connection: connection, logger: logger))
            }
        }
    }

    /// `body` on a pooled connection, admitted and bounded; failures mapped to StoreErrors and
    /// told to `health`, which logs when the database stops and starts answering.
    private func leased<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try health.admit()
        defer { health.finished() }
        do {
            let result = try await PostgresDeadline.run(within: timeout, client, body)
            health.answered()
            return result
        } catch {
            let failure = Self.storeError(error)
            if let storeError = failure as? StoreError, storeError.kind == .unavailable {
                health.unreachable(storeError)
            } else if !(failure is CancellationError) {
                health.answered()
            }
            throw failure
        }
    }

    /// A connection inside a transaction.
    struct Transaction {
        let connection: PostgresConnection
        let logger: Logger

        @discardableResult
        func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
            try await connection.query(query, logger: logger).collect()
        }

        /// A prepared statement inside the transaction: for the writes a message makes.
        @discardableResult
        func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) {
                rows.append(row)
            }
            return rows
        }
    }

    /// An error of the caller's own thrown through a transaction (a malformed record an import's
    /// source read): it reaches the caller unchanged, not as a database failure.
    struct Passed: Error {
        let error: any Error
    }

    /// The StoreError a PostgresNIO failure means. PSQLError hides the server's words from its
    /// description (they may quote data); the SQLSTATE and the server's message are kept.
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let passed as Passed:
            return passed.error
        case let storeError as StoreError:
            return storeError
        case let archiveError as ArchiveError:
            return archiveError
        case is CancellationError:
            return error
        case is PostgresDecodingError:
            // A row that is not what the store expects: the database answered.
            return StoreError(.other, "PostgreSQL returned an unexpected row")
        case let transaction as PostgresTransactionError:
            if let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError {
                return storeError(inner)
            }
            return StoreError(.other, "PostgreSQL transaction failed")
        case let psql as PSQLError:
            if psql.code == .server, let info = psql.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = "PostgreSQL \(state): \(info[.message] ?? "no message")"
                // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
                if ["40001", "40P01", "55P03"].contains(state) { return StoreError(.busy, message) }
                // 23505 unique violation: what the statement would add is there already.
                if state == "23505" { return StoreError(.conflict, message) }
                // 57P0x: the server is shutting down or cannot accept connections.
                if state.hasPrefix("57P") || state.hasPrefix("08") { return StoreError(.unavailable, message) }
                return StoreError(.other, message)
            }
            return StoreError(.unavailable, "PostgreSQL unreachable: \(psql.code)")
        default:
            // The pool's own failures (its circuit breaker open after failed connection attempts).
            return StoreError(.unavailable, "PostgreSQL unreachable: \(error)")
        }
    }
}
