import PostgresNIO

extension PostgresAccess.Transaction {
    /// One statement's rows as they arrive, for a reader that may stop early (a page that fills up).
    func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

}
