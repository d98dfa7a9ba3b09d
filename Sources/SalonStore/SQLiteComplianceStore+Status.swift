import GRDB

extension SQLiteComplianceStore {
    /// What waits for the exporter: how many events, and the time (ms since 1970) of the first
    /// of them. Both read through the partial index of pending events, so a scrape costs what
    /// waits, never the journal's size.
    func backlog() async throws -> (pending: Int, oldest: Int64?) {
        try await access.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS pending,
                       (SELECT time FROM compliance_events WHERE exported_at IS NULL ORDER BY seq LIMIT 1) AS oldest
                FROM compliance_events WHERE exported_at IS NULL
                """)
            return (row?["pending"] ?? 0, row?["oldest"])
        }
    }
}

extension SQLiteComplianceStore {
    /// When the exporter last finished an export (ms since 1970), or nil when it never has.
    func lastExport() async throws -> Int64? {
        try await access.read { db in try Int64.fetchOne(db, sql: "SELECT max(finished_at) FROM compliance_exports") }
    }
}
