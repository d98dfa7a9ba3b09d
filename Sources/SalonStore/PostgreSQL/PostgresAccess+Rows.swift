import PostgresNIO

extension PostgresAccess.Transaction {
    /// One statement's rows as they arrive, for a reader that may stop early (a page that fills up).
    func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

    /// A prepared statement (parsed once per connection) inside the transaction: for the group
    /// commit's statements, run for every batch.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) {
            rows.append(row)
        }
        return rows
    }
}
