import PostgresNIO

/// `PushStore` on PostgreSQL: the same rules as `SQLitePushStore`. An enable locks the owner's
/// user row first, so the limit holds across nodes.
struct PostgresPushStore: PushStore {
    let access: PostgresAccess

    func registrations(owner: String) async throws -> [PushRegistration] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.execute(RegistrationsOfOwner(owner: owner))
            .map { PushRegistration(service: $0.0, node: $0.1, options: $0.2) }
    }

    func enable(owner: String, _ registration: PushRegistration, limit: Int) async throws {
        try registration.check()
        let now = InputLimits.nowMilliseconds()
        try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            let exists = try await !transaction.query("""
                SELECT 1 FROM push_registrations WHERE owner = \(owner) AND service = \(registration.service) AND node = \(registration.node)
                """).isEmpty
            if !exists {
                let count = try await transaction.query("SELECT count(*) FROM push_registrations WHERE owner = \(owner)")
                    .first?.decode(Int.self) ?? 0
                guard count < limit else { throw StoreError(.limitReached, "an account keeps at most \(limit) push registrations") }
            }
            try await transaction.query("""
                INSERT INTO push_registrations (owner, service, node, options, enabled_at)
                VALUES (\(owner), \(registration.service), \(registration.node), \(registration.options), \(now))
                ON CONFLICT (owner, service, node) DO UPDATE SET options = excluded.options, enabled_at = excluded.enabled_at
                """)
        }
    }

    @discardableResult
    func disable(owner: String, service: String, node: String?) async throws -> Int {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(service), PostgresText.isStorable(node ?? "") else { return 0 }
        let rows: [PostgresRow]
        if let node {
            rows = try await access.query("""
                DELETE FROM push_registrations WHERE owner = \(owner) AND service = \(service) AND node = \(node) RETURNING 1
                """)
        } else {
            rows = try await access.query("DELETE FROM push_registrations WHERE owner = \(owner) AND service = \(service) RETURNING 1")
        }
        return rows.count
    }

    /// Read for every message to an account that is away, parsed once per pooled connection.
    struct RegistrationsOfOwner: OwnerStatement {
        static let sql = "SELECT service, node, options FROM push_registrations WHERE owner = $1 ORDER BY service, node"
        typealias Row = (String, String, String?)
        let owner: String

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }
}
