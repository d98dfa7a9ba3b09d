import PersistentChat
import PostgresNIO

/// Appends events to the journal inside the caller's transaction on PostgreSQL, as
/// `ComplianceJournalInsert` does on SQLite. Appenders on every node take one advisory lock
/// (held until their transaction ends) before reading the chain's head, so the journal stays
/// one unbroken chain however many nodes write at once. Callers take it after any row lock of
/// their own, never before, so two appenders never wait on each other in a circle.
enum PostgresComplianceJournalInsert {
    /// "SalonCJ" in ASCII: the compliance journal's append lock.
    static let appendLock: Int64 = 0x5361_6C6F_6E43_4A

    /// Inserts `events` in order; returns the last sequence written (0 when none).
    @discardableResult
    static func insert(_ events: [ComplianceEvent], _ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        guard !events.isEmpty else { return 0 }
        try events.forEach { try $0.validate() }
        try await lock(transaction)
        let head = try await head(transaction)
        var (seq, previous) = (head.seq, head.hash)
        for event in events {
            seq += 1
            let hash = ComplianceChain.hash(seq: seq, event, previous: previous)
            // Drained as a row sequence: PostgresNIO's command-tag form may read the tag too early.
            for try await _ in try await transaction.connection.execute(
                Append(seq: seq, event: event, previous: previous, hash: hash), logger: transaction.logger) {}
            previous = hash
        }
        return seq
    }

    /// The chain's last event: sequence 0 and the genesis hash while the journal is empty.
    static func head(_ transaction: PostgresAccess.Transaction) async throws -> ComplianceImport.Head {
        guard let row = try await transaction.query("SELECT seq, hash FROM compliance_events ORDER BY seq DESC LIMIT 1").first else {
            return ComplianceImport.Head(seq: 0, hash: ComplianceChain.genesis)
        }
        let (seq, hash) = try row.decode((Int64, String).self)
        return ComplianceImport.Head(seq: seq, hash: hash)
    }

    /// Takes the append lock until the transaction ends (again is harmless: it is counted).
    static func lock(_ transaction: PostgresAccess.Transaction) async throws {
        try await transaction.query("SELECT pg_advisory_xact_lock(\(appendLock))")
    }

    /// One event's row, parsed once per pooled connection: with compliance on, every post appends.
    struct Append: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO compliance_events (seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """
        typealias Row = ()
        let seq: Int64
        let event: ComplianceEvent
        let previous: String
        let hash: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(seq)
            bindings.append(event.time)
            bindings.append(event.type.rawValue)
            bindings.append(event.actorBare)
            bindings.append(event.actorFull)
            bindings.append(event.room)
            bindings.append(event.payload)
            bindings.append(previous)
            bindings.append(hash)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
